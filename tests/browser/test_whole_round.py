"""A whole round in the browser only (issue 13, "How to show it"), then its documents read back.

The secretariat on a desktop (1280 px) creates the plan, pins a checklist version, forms the team, draws a
commune and schedules it from the draw; a member on a 390-px phone answers the checklist, fills the record of
the session (local participants, the reports heard, records checked, the discussion, the local side's opinion,
the end time) and a free-form finding with its source, then submits; the leader accepts the findings and
approves; the leader writes the conclusion and a recommendation, the secretariat another; the leader edits the
conclusion and the secretariat withdraws a recommendation; the secretariat issues the minutes and the
conclusion notice; the district official reports on the remaining recommendation.

Read back: the issued minutes and notice PDFs (pdfplumber), and the DOCX drafts of both converted by LibreOffice,
carry what was typed, and not the withdrawn recommendation.

Set E2E_SCREENS=<folder> to keep screenshots along the way (1280 and 390 px).
"""

from __future__ import annotations

import os
import re
import unicodedata

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser import steps
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

DESKTOP = {'width': 1280, 'height': 900}
PHONE = {'viewport': {'width': 390, 'height': 844}, 'is_mobile': True, 'has_touch': True}
SUBJECT = 'Kiểm tra, giám sát thực hiện Chương trình giảm nghèo bền vững tại huyện Mỏ Cày Bắc, đợt tháng 9 năm 2019'
DISTRICT = '838'  # Huyện Mỏ Cày Bắc
PEOPLE = [('district', 'Trần Văn Khải', 'Phó Chủ tịch UBND huyện'),
          ('commune', 'Phạm Thị Mỹ Duyên', 'Chủ tịch UBND xã')]
RECORD_FROM_LIST = 'Sổ nhật ký hộ gia đình'
RECORD_TYPED = 'Sổ theo dõi cấp phát giống cây trồng'
DISCUSSION = 'Hội Nông dân xã đề nghị tập huấn kỹ thuật nuôi bò.'
OPINION = 'Thống nhất với nhận xét của Đoàn, sẽ khắc phục trong quý IV.'
FINDING = 'Còn 7 hộ chưa được cấp sổ theo dõi vốn vay của Ngân hàng Chính sách xã hội.'
SUMMARY = 'Huyện triển khai Chương trình đúng kế hoạch; việc theo dõi vốn vay ở xã còn chậm.'
SUMMARY_EDITED = ('Huyện triển khai Chương trình đúng kế hoạch, đạt chỉ tiêu giảm nghèo; '
                  'việc theo dõi vốn vay ở xã còn chậm.')
REC_KEPT = 'Cấp đủ sổ theo dõi vốn vay cho các hộ còn thiếu; báo cáo kết quả về Ban Chỉ đạo tỉnh.'
REC_WITHDRAWN = 'Tổ chức lại toàn bộ mạng lưới tổ tiết kiệm và vay vốn trên địa bàn huyện.'


_scalar, _flash, _pick, _advance = steps.scalar, steps.flash, steps.pick, steps.advance


def _flat(text: str) -> str:
    """NFC, one space between words (lines wrapped in a PDF joined back)."""
    return ' '.join(unicodedata.normalize('NFC', text).split())


def _pdf_text(data: bytes) -> str:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return _flat('\n'.join(page.extract_text() or '' for page in pdf.pages))


class Shots:
    """Screenshots along the way, when E2E_SCREENS names a folder."""

    def __init__(self) -> None:
        self.folder = os.environ.get('E2E_SCREENS')
        if self.folder:
            os.makedirs(self.folder, exist_ok=True)

    def __call__(self, page, name: str) -> None:  # noqa: ANN001
        """The page at its own width, then at the other one (390 or 1280 px)."""
        if self.folder:
            size = page.viewport_size
            other = {'width': 390, 'height': 844} if size['width'] > 390 else DESKTOP
            for viewport in (size, other):
                page.set_viewport_size(viewport)
                page.screenshot(path=f'{self.folder}/{name}-{viewport["width"]}.png', full_page=True)
            page.set_viewport_size(size)


def _phone(new_context):  # noqa: ANN001, ANN202
    page = new_context(**PHONE).new_page()
    errors: list[str] = []
    page.on('pageerror', lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


def test_a_whole_round_in_the_browser_and_its_documents(new_context, live_server, tmp_path):  # noqa: ANN001, PLR0915
    from inspect_flow.demo.round2019 import checklist_answers

    shot = Shots()
    # --- the secretariat on a desktop: plan, pinned checklist, team, draw, schedule -------------------------
    sec = new_context(viewport=DESKTOP).new_page()
    login(sec, 'thao.vpt')
    sec.goto('/plans/new')
    sec.fill('#f-number', '1503')
    sec.fill('#f-subject', SUBJECT)
    sec.fill('#f-issue_date', '2019-09-02')
    sec.fill('#f-fieldwork_start', '2019-09-09')
    sec.fill('#f-fieldwork_end', '2019-09-20')
    sec.fill('#f-households_per_commune', '3')
    sec.fill('#f-issuer', 'ban chi dao')
    sec.get_by_role('option', name=re.compile('^Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre')).click()
    sec.fill('#f-targets', 'mo cay bac')
    sec.get_by_role('option', name='Huyện Mỏ Cày Bắc — Tỉnh Bến Tre').click()
    sec.get_by_role('button', name='Lưu').click()
    sec.wait_for_load_state()
    assert re.search(r'/plans/\d+$', sec.url), sec.locator('main').inner_text()[:1500]
    plan_id = int(sec.url.rsplit('/', 1)[1])

    # Pin each checklist at a version chosen from the list (the first one that applies to this round).
    pins = sec.locator('#pin-versions')
    pins.locator('summary').click()
    versions = []
    for select in pins.locator('select').all():
        version = select.locator('option:not([disabled]):not([value=""])').first.get_attribute('value')
        select.select_option(version)
        versions.append(version)
    assert len(versions) >= 2, pins.inner_text()
    pins.get_by_role('button', name='Áp dụng các phiên bản đã chọn').click()
    sec.wait_for_load_state()
    expect(sec.locator('.flash.ok')).to_contain_text(f'Đã áp dụng {len(versions)} bộ câu hỏi')
    shot(sec, '01-plan')

    sec.goto(f'/plans/{plan_id}/teams')
    sec.fill('#f-number', '1')
    sec.get_by_role('button', name='Thêm đoàn').click()
    for person, role in (('Võ Thành Công', 'leader'), ('Lý Thị Kim Ngân', 'member')):
        team = sec.locator('#team-1')
        _pick(team.locator('form.addmember'), person)
        team.locator('select[name=role]').select_option(role)
        team.get_by_role('button', name='Thêm vào đoàn').click()
        expect(sec.locator('#team-1 .members')).to_contain_text(person)
    sec.goto(f'/plans/{plan_id}')
    _advance(sec, 'Chuyển sang xếp lịch')

    # The draw picks the commune; the schedule's form offers it first, chosen already.
    sec.goto(f'/plans/{plan_id}/schedule')
    draw = sec.locator('#draw')
    draw.get_by_label(re.compile('^Số xã mỗi')).fill('1')
    draw.get_by_label(re.compile('^Mã gieo')).fill('e2e-2019')
    draw.get_by_role('button', name='Chọn ngẫu nhiên').click()
    sec.wait_for_load_state()
    drawn = sec.locator('#draw ul.drawn li')
    expect(drawn).to_have_count(1)
    commune = drawn.first.get_attribute('data-code')
    commune_name = drawn.first.locator('strong').inner_text()
    add = sec.locator('#add-visit')
    expect(add.locator('select[name=commune]')).to_have_value(commune)
    add.locator('select[name=team]').select_option(label='1')
    add.locator('input[name=day]').fill('2019-09-10')
    add.get_by_role('button', name='Xếp lịch').click()
    expect(sec.locator('.flash.ok')).to_be_visible()
    row = sec.locator('table.schedule tbody tr', has_text=commune_name)
    expect(row).to_have_count(1)
    visit_id = int(row.get_attribute('id').split('-')[1])
    expect(sec.locator('#draw ul.drawn li').first).to_contain_text('đã xếp lịch')
    shot(sec, '02-schedule')
    sec.goto(f'/plans/{plan_id}')
    _advance(sec, 'Bắt đầu làm việc tại cơ sở')

    # --- the member on a phone: the checklist, the record, a finding, submit --------------------------------
    member = _phone(new_context)
    login(member, 'ngan.ltk')
    # The round is of 2019, so "my work" has it neither today nor coming: the member opens it from the schedule.
    member.goto(f'/plans/{plan_id}/schedule')
    member.locator(f'#visit-{visit_id}').get_by_role('link', name=commune_name).click()
    form = member.locator('#visit-form')
    expect(form).to_have_attribute('data-ready', '1')
    from sqlalchemy.orm import Session

    from inspect_flow.visits.models import Visit

    with Session(live_server.engine) as s:
        answers = checklist_answers(1, s.get(Visit, visit_id))
    # Most answers go in through the page's own autosave request; one is typed on the phone.
    saved = member.evaluate("""async (answers) => {
        const form = document.getElementById('visit-form');
        const r = await fetch(form.dataset.autosave, {method: 'POST', credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'Accept': 'application/json',
                    'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
          body: JSON.stringify({answers})});
        return [r.status, await r.json()];
    }""", answers)
    assert saved[0] == 200 and saved[1]['saved'] is True, saved
    member.reload()
    expect(form).to_have_attribute('data-ready', '1')
    models = member.locator('.item[data-item="effective_models"] input')
    models.fill(str(int(answers['effective_models']) + 1))
    expect(member.locator('[data-autosave-status]')).to_contain_text('Đã lưu nháp', timeout=10_000)
    shot(member, '03-visit')

    member.get_by_role('link', name=re.compile('^Biên bản')).click()
    record = member.locator('#record-form[data-ready="1"]')
    expect(record).to_be_visible()
    for i, (side, name, title) in enumerate(PEOPLE):
        if i:
            member.get_by_role('button', name='+ Thêm người').click()
        person = member.locator('li.person').nth(i)
        person.get_by_label('Thành phần').select_option(side)
        person.get_by_label('Họ và tên').fill(name)
        person.get_by_label('Chức vụ').fill(title)
    member.get_by_label('Ban Chỉ đạo huyện báo cáo').fill('Huyện có 1.205 hộ nghèo, giảm 2,1% so với năm 2018.')
    member.get_by_label('Ban Chỉ đạo xã báo cáo').fill('Xã có 96 hộ nghèo, 41 hộ cận nghèo.')
    member.get_by_label(RECORD_FROM_LIST).check()
    member.get_by_label('Hồ sơ khác').fill(RECORD_TYPED)
    member.get_by_label('Ý kiến trao đổi', exact=True).fill(DISCUSSION)
    member.get_by_label('Ý kiến của đơn vị').fill(OPINION)
    member.get_by_label('Giờ kết thúc').fill('11:15')
    member.get_by_role('button', name='Lưu biên bản').click()
    member.wait_for_load_state()
    expect(member.get_by_label('Hồ sơ khác')).to_have_value(RECORD_TYPED)
    assert member.evaluate('document.documentElement.scrollWidth') <= 390
    add = member.locator('form.add-finding')
    add.get_by_label('Hạn chế, tồn tại').check()
    add.get_by_label('Nhóm nội dung').fill('Sử dụng vốn vay')
    add.get_by_label('Nội dung kết quả').fill(FINDING)
    add.get_by_label('Nguồn').select_option('records')
    add.get_by_role('button', name='Ghi kết quả').click()
    member.wait_for_load_state()
    expect(member.locator('#findings')).to_contain_text(FINDING)
    expect(member.locator('li.person').nth(1).get_by_label('Họ và tên')).to_have_value(PEOPLE[1][1])
    shot(member, '04-record')
    people = sorted(tuple(r) for r in live_server.engine.connect().execute(
        sa.text('select side, full_name, title from visit_participants where visit_id = :v'), {'v': visit_id}))
    assert people == sorted(PEOPLE)

    member.goto(f'/visits/{visit_id}')
    expect(form).to_have_attribute('data-ready', '1')
    member.locator('[data-submit]').click()
    member.wait_for_load_state()
    expect(member.locator('.flash.ok')).to_contain_text('Đã nộp kết quả', timeout=10_000)
    assert member.js_errors == []

    # --- the leader: review on the phone, accept the findings, approve ---------------------------------------
    leader = _phone(new_context)
    login(leader, 'cong.td5')
    leader.locator(f'#work-reviews a[href="/visits/{visit_id}"]').click()
    expect(leader.locator('#findings')).to_contain_text(FINDING)
    shot(leader, '05-review')
    review = leader.locator('#review')
    expect(review.get_by_role('button', name='Duyệt kết quả')).to_be_disabled()  # suggestions not decided yet
    expect(leader.locator('#households-quota')).to_contain_text('kế hoạch: 03 hộ mỗi xã')
    review.get_by_role('button', name='Chấp nhận tất cả kết quả gợi ý').click()
    leader.wait_for_load_state()
    expect(leader.locator('li.status-suggested')).to_have_count(0)
    leader.locator('#review').get_by_role('button', name='Duyệt kết quả').click()
    expect(leader.locator('.flash.ok')).to_contain_text('Đã duyệt')
    assert _scalar(live_server, 'select state from visits where id = :v', v=visit_id) == 'reviewed'
    finding_id = _scalar(live_server, 'select id from findings where text = :t', t=FINDING)
    assert finding_id is not None

    # --- conclusions: the leader writes the conclusion and a recommendation, the secretariat another ---------
    sec.goto(f'/plans/{plan_id}')
    _advance(sec, 'Tổng hợp kết quả kiểm tra')
    leader.set_viewport_size(DESKTOP)
    leader.goto(f'/plans/{plan_id}/conclusions')
    new = leader.locator('#new-conclusion')
    new.get_by_label('Đánh giá chung').fill(SUMMARY)
    new.get_by_role('button', name='Ghi kết luận').click()
    expect(leader.locator('.flash.ok')).to_contain_text('Đã ghi kết luận')
    conclusion = leader.locator('section.conclusion', has_text='Huyện Mỏ Cày Bắc')
    adding = conclusion.locator('form.addrec') if conclusion.locator('form.addrec').count() else conclusion
    adding.locator('textarea[name=text]').fill(REC_KEPT)
    adding.locator('input[name=deadline]').fill('2019-11-30')
    adding.locator('select[name=finding]').select_option(str(finding_id))
    adding.get_by_role('button', name='Thêm kiến nghị').click()
    expect(leader.locator('.flash.ok')).to_contain_text('Đã thêm kiến nghị')

    sec.goto(f'/plans/{plan_id}/conclusions')
    conclusion = sec.locator('section.conclusion', has_text='Huyện Mỏ Cày Bắc')
    adding = conclusion.locator('form.addrec') if conclusion.locator('form.addrec').count() else conclusion
    adding.locator('textarea[name=text]').fill(REC_WITHDRAWN)
    adding.locator('input[name=deadline]').fill('2019-12-31')
    adding.get_by_role('button', name='Thêm kiến nghị').click()
    expect(sec.locator('.flash.ok')).to_contain_text('Đã thêm kiến nghị')
    expect(sec.locator('section.conclusion ol.recs')).to_contain_text(REC_WITHDRAWN)
    kept_id = _scalar(live_server, 'select id from recommendations where text = :t', t=REC_KEPT)
    gone_id = _scalar(live_server, 'select id from recommendations where text = :t', t=REC_WITHDRAWN)
    assert kept_id and gone_id
    _correct(leader, sec, plan_id, gone_id)
    shot(sec, '06-conclusions')

    # --- the secretariat issues the minutes and the conclusion notice ----------------------------------------
    sec.goto(f'/plans/{plan_id}/documents')
    issued = {}
    for key, date, signer in ((f'minutes-visit{visit_id}', '2019-09-10', None),
                              (f'conclusion-{DISTRICT}', '2019-09-25', 'Nguyễn Văn Hiếu')):
        row = sec.locator(f'#doc-{key}')
        row.locator('summary').click()
        row.locator('input[name=date]').fill(date)
        if signer:
            row.locator('input[name=signer]').fill(signer)
        row.get_by_role('button', name='Cấp số và ban hành').click()
        expect(sec.locator('.flash.ok')).to_contain_text('Đã ban hành văn bản số')
        expect(sec.locator(f'#doc-{key} .badge')).to_have_text('Đã ban hành')
        href = sec.locator(f'#doc-{key} .doc-download').get_attribute('href')
        pdf = sec.request.get(href)
        assert pdf.status == 200 and pdf.body().startswith(b'%PDF')
        issued[key.split('-')[0]] = _pdf_text(pdf.body())
    shot(sec, '07-documents')
    # Issued: the conclusion and its recommendations are locked.
    leader.goto(f'/plans/{plan_id}/conclusions')
    expect(leader.locator('section.conclusion .lock')).to_contain_text('Đã ban hành')
    expect(leader.get_by_text('Sửa đánh giá chung')).to_have_count(0)
    expect(leader.locator('section.conclusion details.withdraw')).to_have_count(0)

    # --- the district official reports on the recommendation -------------------------------------------------
    official = _phone(new_context)
    login(official, 'huyen.mcb')
    expect(official.locator('#work-recommendations')).to_contain_text(REC_KEPT)
    expect(official.locator('#work-recommendations')).not_to_contain_text(REC_WITHDRAWN)
    official.locator('#work-recommendations').get_by_role('link', name=re.compile(re.escape(REC_KEPT[:30]))).click()
    report = official.locator('#report-form')
    report.locator('textarea[name=text]').fill('Đã cấp bổ sung sổ theo dõi vốn vay cho 7 hộ.')
    report.locator('input[name=report_date]').fill('2019-10-15')
    report.get_by_role('button', name='Gửi báo cáo').click()
    expect(official.locator('.flash.ok')).to_contain_text('Đã gửi báo cáo')
    expect(official.locator('ol.reports')).to_contain_text('cho 7 hộ')
    shot(official, '08-report')
    assert _scalar(live_server, 'select count(*) from follow_up_reports where recommendation_id = :r', r=kept_id) == 1
    assert official.js_errors == [] and leader.js_errors == []

    # --- the documents read back: issued PDFs, and the DOCX drafts through LibreOffice ----------------------
    typed_in_minutes = [PEOPLE[0][1], PEOPLE[1][1], RECORD_FROM_LIST, RECORD_TYPED, FINDING, OPINION]
    docx = _docx_texts(live_server, plan_id, visit_id, tmp_path)
    if shot.folder:
        for key, text in (*((f'{k}-pdf', v) for k, v in issued.items()), *((f'{k}-docx', v) for k, v in docx.items())):
            with open(f'{shot.folder}/{key}.txt', 'w', encoding='utf-8') as fh:
                fh.write(text)
    for name, text in (('minutes PDF', issued['minutes']), ('minutes DOCX', docx['minutes'])):
        missing = [s for s in typed_in_minutes if s.rstrip('.') not in text]  # a list item ends with ';'
        assert not missing, f'{name} lacks {missing}: {text[:3000]}'
    for name, text in (('notice PDF', issued['conclusion']), ('notice DOCX', docx['conclusion'])):
        assert SUMMARY_EDITED in text and SUMMARY not in text, f'{name}: {text[:3000]}'
        assert REC_KEPT.rstrip('.') in text, f'{name}: {text[:3000]}'
        assert REC_WITHDRAWN.rstrip('.') not in text, name


def _correct(leader, sec, plan_id: int, gone_id: int) -> None:  # noqa: ANN001
    """Before issue: the leader edits the conclusion (an empty one is refused), the secretariat withdraws one
    recommendation with its reason; the withdrawn one leaves the list and stays under "withdrawn"."""
    leader.goto(f'/plans/{plan_id}/conclusions')
    conclusion = leader.locator('section.conclusion', has_text='Huyện Mỏ Cày Bắc')
    conclusion.get_by_text('Sửa đánh giá chung').click()
    editing = conclusion.locator('form', has=leader.get_by_label('Đánh giá chung'))
    editing.get_by_label('Đánh giá chung').fill('')
    editing.get_by_role('button', name='Lưu').click()
    conclusion = leader.locator('section.conclusion', has_text='Huyện Mỏ Cày Bắc')
    expect(conclusion.locator('.field.has-error')).to_be_visible()
    conclusion.get_by_label('Đánh giá chung').fill(SUMMARY_EDITED)
    conclusion.get_by_role('button', name='Lưu', exact=True).click()
    expect(leader.locator('.flash.ok')).to_contain_text('Đã sửa kết luận')
    expect(leader.locator('section.conclusion p.summary')).to_have_text(SUMMARY_EDITED)

    sec.goto(f'/plans/{plan_id}/conclusions')
    rec = sec.locator(f'#rec-{gone_id}')
    rec.locator('details.withdraw summary').click()
    rec.get_by_label('Lý do rút (ghi vào lịch sử)').fill('Trùng với nội dung kiến nghị của Đoàn liên ngành.')
    rec.get_by_role('button', name='Rút kiến nghị').click()
    expect(sec.locator('.flash.ok')).to_contain_text('Đã rút kiến nghị')
    expect(sec.locator('section.conclusion ol.recs')).not_to_contain_text(REC_WITHDRAWN)
    expect(sec.locator('section.conclusion details.withdrawn')).to_contain_text('Kiến nghị đã rút (1)')
    sec.locator('section.conclusion details.withdrawn summary').click()
    expect(sec.locator(f'#rec-{gone_id}')).to_contain_text('Trùng với nội dung kiến nghị')


def _docx_texts(server, plan_id: int, visit_id: int, folder) -> dict[str, str]:  # noqa: ANN001
    """The DOCX drafts of the minutes and the notice, converted by LibreOffice in one run, as text."""
    from sqlalchemy.orm import Session

    from inspect_flow.documents import sources
    from inspect_flow.documents.docx_export import render_docx
    from inspect_flow.plans.models import Plan
    from tests.documents.libreoffice import docx_to_pdf

    paths = []
    with Session(server.engine) as s:
        plan = s.get(Plan, plan_id)
        for kind, where in (('minutes', {'visit': str(visit_id)}), ('conclusion', {'unit': DISTRICT})):
            target = sources.resolve_target(s, plan, kind, **where)
            vm = sources.build_view_model(s, target, signer=sources.SignerIn(name='Nguyễn Văn Hiếu'))
            path = folder / f'{kind}.docx'
            path.write_bytes(render_docx(kind, vm))
            paths.append(path)
    pdfs = docx_to_pdf(paths, folder / 'pdf', folder / 'lo-profile')
    return {p.stem: _pdf_text(p.read_bytes()) for p in pdfs}
