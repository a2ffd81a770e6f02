"""The digests: one e-mail per person and kind of reminder, in the person's language, with a text and an HTML
part and links into the app. The subject is Vietnamese text; the default policy of
:class:`email.message.EmailMessage` writes it as RFC 2047 encoded words (UTF-8)."""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from inspect_flow.accounts.models import User
from inspect_flow.core.db import utcnow
from inspect_flow.findings.models import Recommendation
from inspect_flow.notify.settings import Settings
from inspect_flow.plans.models import Plan
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.states import state_label

#: The digest a kind of reminder goes out in.
GROUPS = {'overdue': 'overdue', 'weekly_overdue': 'weekly', 'schedule': 'schedule'}
TEXT_CUT = 280


def group_of(kind: str) -> str:
    return GROUPS.get(kind, 'due_soon')


def vdate(value: date) -> str:
    return value.strftime('%d/%m/%Y')


def _cut(text: str) -> str:
    text = ' '.join(text.split())
    return text if len(text) <= TEXT_CUT else text[:TEXT_CUT - 1] + '…'


@dataclass
class Line:
    """One entry of a digest: a title, the facts under it, a link."""

    title: str
    facts: list[str]
    url: str


@dataclass
class Section:
    heading: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Digest:
    subject: str
    greeting: str
    intro: str
    sections: list[Section]
    footer: str


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == 'en' else vi


def _days(lang: str, n: int) -> str:
    if n == 0:
        return _t(lang, 'hôm nay là hạn cuối', 'due today')
    if n > 0:
        return _t(lang, f'còn {n} ngày', f'{n} day{"s" if n != 1 else ""} left')
    return _t(lang, f'quá hạn {-n} ngày', f'{-n} day{"s" if n != -1 else ""} overdue')


def _rec_line(lang: str, rec: Recommendation, plan: Plan, day: date, settings: Settings) -> Line:
    facts = [
        _t(lang, f'Đơn vị thực hiện: {rec.addressee_label}', f'Addressee: {rec.addressee_label}'),
        _t(lang, f'Thời hạn: {vdate(rec.deadline)} ({_days(lang, (rec.deadline - day).days)})',
           f'Deadline: {vdate(rec.deadline)} ({_days(lang, (rec.deadline - day).days)})'),
        _t(lang, f'Tình trạng: {state_label(rec.state)}', f'State: {state_label(rec.state, "en")}'),
        _t(lang, f'Kế hoạch {plan.reference}', f'Plan {plan.reference}'),
    ]
    return Line(_cut(rec.text), facts, settings.link(f'/recommendations/{rec.id}'))


def compose(user: User, group: str, *, day: date, settings: Settings, recs: list[Recommendation] | None = None,
            plans: dict[int, Plan], overdue_by_plan: dict[int, list[Recommendation]] | None = None,
            visits_by_plan: dict[int, list[Visit]] | None = None) -> Digest:
    """The digest of *group* for *user* on *day*: ``due_soon`` and ``overdue`` list *recs*; ``weekly`` lists, per
    plan of *overdue_by_plan*, the overdue recommendations by addressee; ``schedule`` lists *visits_by_plan*."""
    lang = 'en' if user.language == 'en' else 'vi'
    greeting = _t(lang, f'Kính gửi {user.full_name},', f'Dear {user.full_name},')
    footer = _t(lang, 'Thư này do hệ thống inspect_flow gửi tự động. Muốn thôi nhận thư nhắc việc, hãy tắt trong '
                      f'trang Tài khoản: {settings.link("/account")}',
                'This message was sent automatically by inspect_flow. To stop these digests, turn them off on your '
                f'account page: {settings.link("/account")}')
    recs = recs or []
    if group == 'due_soon':
        n = len(recs)
        subject = _t(lang, f'Nhắc việc: {n} kiến nghị sắp đến hạn thực hiện',
                     f'Reminder: {n} recommendation{"s" if n != 1 else ""} due soon')
        intro = _t(lang, 'Các kiến nghị sau gửi đơn vị của đồng chí sắp đến thời hạn thực hiện. Đề nghị báo cáo kết '
                         'quả thực hiện trước thời hạn.',
                   'These recommendations addressed to your unit are nearing their deadline. Please report what has '
                   'been done before it.')
        sections = [Section(_t(lang, 'Kiến nghị sắp đến hạn', 'Due soon'),
                            [_rec_line(lang, r, plans[r.plan_id], day, settings) for r in recs])]
    elif group == 'overdue':
        n = len(recs)
        subject = _t(lang, f'Quá hạn: {n} kiến nghị đã quá thời hạn thực hiện',
                     f'Overdue: {n} recommendation{"s" if n != 1 else ""} past the deadline')
        intro = _t(lang, 'Các kiến nghị sau gửi đơn vị của đồng chí đã quá thời hạn thực hiện mà chưa có báo cáo '
                         'hoàn thành. Đề nghị khẩn trương thực hiện và báo cáo kết quả.',
                   'These recommendations addressed to your unit are past their deadline without a completion report. '
                   'Please act on them and report without delay.')
        sections = [Section(_t(lang, 'Kiến nghị quá hạn', 'Overdue'),
                            [_rec_line(lang, r, plans[r.plan_id], day, settings) for r in recs])]
    elif group == 'weekly':
        overdue_by_plan = overdue_by_plan or {}
        n = sum(len(v) for v in overdue_by_plan.values())
        subject = _t(lang, f'Tổng hợp tuần {vdate(day)}: {n} kiến nghị quá hạn',
                     f'Weekly digest, {vdate(day)}: {n} overdue recommendation{"s" if n != 1 else ""}')
        intro = _t(lang, 'Các kiến nghị quá hạn, theo từng kế hoạch và đơn vị thực hiện:',
                   'The overdue recommendations, by plan and by addressee:')
        sections = []
        for plan_id, items in sorted(overdue_by_plan.items()):
            plan = plans[plan_id]
            by_unit: dict[str, list[Recommendation]] = defaultdict(list)
            for rec in items:
                by_unit[rec.addressee_label].append(rec)
            for unit_label in sorted(by_unit):
                heading = f'{plan.reference} — {unit_label} ({len(by_unit[unit_label])})'
                lines = [_rec_line(lang, r, plan, day, settings) for r in by_unit[unit_label]]
                sections.append(Section(heading, lines))
    elif group == 'schedule':
        visits_by_plan = visits_by_plan or {}
        refs = ', '.join(plans[p].reference for p in sorted(visits_by_plan))
        subject = _t(lang, f'Lịch làm việc của đoàn kiểm tra: {refs}', f'Your inspection schedule: {refs}')
        intro = _t(lang, 'Lịch làm việc tại cơ sở của các đoàn có đồng chí tham gia:',
                   'The working sessions of the teams you are on:')
        sections = []
        for plan_id, visits in sorted(visits_by_plan.items()):
            plan = plans[plan_id]
            lines = [Line(f'{vdate(v.starts_at.date())} {v.starts_at:%H:%M}–{v.ends_at:%H:%M}: {v.commune.full_name}',
                          [_t(lang, f'Đoàn {v.team.number}', f'Team {v.team.number}')]
                          + ([_t(lang, f'Địa điểm: {v.place}', f'Place: {v.place}')] if v.place else []),
                          settings.link(f'/visits/{v.id}')) for v in visits]
            sections.append(Section(_t(lang, f'Kế hoạch {plan.reference}: {_cut(plan.subject)}',
                                       f'Plan {plan.reference}: {_cut(plan.subject)}'), lines))
    else:  # pragma: no cover - the groups are fixed
        raise ValueError(group)
    return Digest(subject, greeting, intro, sections, footer)


def text_body(digest: Digest) -> str:
    out = [digest.greeting, '', digest.intro, '']
    for section in digest.sections:
        out += [section.heading, '-' * min(len(section.heading), 72)]
        for n, line in enumerate(section.lines, 1):
            out.append(f'{n}. {line.title}')
            out += [f'   {fact}' for fact in line.facts]
            out += [f'   {line.url}', '']
    out += ['--', digest.footer]
    return '\n'.join(out) + '\n'


def html_body(digest: Digest, lang: str) -> str:
    e = html.escape
    parts = [f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{e(digest.subject)}</title>'
             '</head><body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.45">',
             f'<p>{e(digest.greeting)}</p><p>{e(digest.intro)}</p>']
    for section in digest.sections:
        parts.append(f'<h2 style="font-size:17px">{e(section.heading)}</h2><ol>')
        for line in section.lines:
            facts = '<br>'.join(e(f) for f in line.facts)
            label = 'Mở trong inspect_flow' if lang == 'vi' else 'Open in inspect_flow'
            parts.append(f'<li><p><strong>{e(line.title)}</strong><br>{facts}<br>'
                         f'<a href="{e(line.url, quote=True)}">{label}</a></p></li>')
        parts.append('</ol>')
    parts.append(f'<hr><p style="color:#555;font-size:13px">{e(digest.footer)}</p></body></html>')
    return ''.join(parts)


def to_message(user: User, digest: Digest, settings: Settings) -> EmailMessage:
    """The e-mail: From, To (the person's name, encoded), Subject, Date, Message-ID, a text and an HTML part."""
    lang = 'en' if user.language == 'en' else 'vi'
    msg = EmailMessage()
    name, sender = parseaddr(settings.mail_from)
    msg['From'] = Address(name or 'inspect_flow', addr_spec=sender or 'noreply@localhost')
    msg['To'] = Address(user.full_name, addr_spec=user.email)
    msg['Subject'] = digest.subject
    msg['Date'] = format_datetime(utcnow().replace(tzinfo=UTC))
    domain = (sender or 'noreply@localhost').rpartition('@')[2] or 'localhost'
    msg['Message-ID'] = make_msgid('reminder', domain=domain)
    msg['Auto-Submitted'] = 'auto-generated'
    msg['Content-Language'] = lang
    msg.set_content(text_body(digest))
    msg.add_alternative(html_body(digest, lang), subtype='html')
    return msg
