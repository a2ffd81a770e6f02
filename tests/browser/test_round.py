"""The whole round in a real browser, one persona per browser context.

The secretariat plans, forms a team and schedules (a conflict is shown on the page and resolved); a
team member fills the visit form through a skip-logic branch, adds a photo and submits; the team leader
returns it once and then approves it; the secretariat writes the conclusion and its recommendations
and issues the conclusion notice; the district official finds it in the inbox and reports progress.
The 2019 demo round is loaded too (its people and accounts); this round is a new plan of its own.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser import steps
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

SUBJECT = 'Kiểm tra, giám sát thực hiện Đề án sinh kế tại huyện Mỏ Cày Bắc, đợt tháng 8 năm 2019'
COMMUNE = '28889'  # Xã Phú Mỹ, Huyện Mỏ Cày Bắc
REC_TEXT = 'Rà soát, hướng dẫn hộ vay vốn sử dụng đúng mục đích; báo cáo kết quả về Ban Chỉ đạo tỉnh.'


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new('RGB', (64, 48), (30, 120, 60)).save(buf, 'JPEG', quality=80)
    return buf.getvalue()


_scalar, _flash, _pick, _advance = steps.scalar, steps.flash, steps.pick, steps.advance


def test_a_round_from_plan_to_progress_report(new_context, live_server):  # noqa: ANN001, PLR0915
    from inspect_flow.demo.round2019 import checklist_answers

    # --- the secretariat: plan, checklists, team, schedule ------------------------------------------------
    sec = new_context().new_page()
    login(sec, 'thao.vpt')
    sec.goto('/plans/new')
    sec.fill('#f-number', '1402')
    sec.fill('#f-subject', SUBJECT)
    sec.fill('#f-issue_date', '2019-08-01')
    sec.fill('#f-fieldwork_start', '2019-08-05')
    sec.fill('#f-fieldwork_end', '2019-08-16')
    sec.fill('#f-issuer', 'ban chi dao')
    sec.get_by_role('option', name=re.compile('^Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre')).click()
    sec.fill('#f-targets', 'mo cay bac')
    sec.get_by_role('option', name='Huyện Mỏ Cày Bắc — Tỉnh Bến Tre').click()
    expect(sec.locator('input[name=targets][value="838"]')).to_be_checked()
    sec.get_by_role('button', name='Lưu').click()
    sec.wait_for_load_state()
    assert re.search(r'/plans/\d+$', sec.url), sec.locator('main').inner_text()[:1500]
    plan_id = int(sec.url.rsplit('/', 1)[1])
    expect(sec.locator('.planhead .subject')).to_have_text(SUBJECT)
    # Not schedulable yet, and the page says why.
    expect(sec.locator('.step.blocked').first).to_contain_text('chưa có đoàn')

    sec.get_by_role('button', name='Áp dụng bộ câu hỏi mới nhất').click()
    expect(sec.locator('.flash')).to_contain_text('bộ câu hỏi')

    sec.goto(f'/plans/{plan_id}/teams')
    sec.fill('#f-number', '1')
    sec.get_by_role('button', name='Thêm đoàn').click()
    team = sec.locator('#team-1')
    expect(team).to_be_visible()
    _pick(team.locator('form.addmember'), 'Võ Thành Công')
    team.locator('select[name=role]').select_option('leader')
    team.get_by_role('button', name='Thêm vào đoàn').click()
    team = sec.locator('#team-1')
    _pick(team.locator('form.addmember'), 'Lý Thị Kim Ngân')
    team.locator('select[name=role]').select_option('member')
    team.get_by_role('button', name='Thêm vào đoàn').click()
    expect(sec.locator('#team-1 .members')).to_contain_text('Võ Thành Công')
    expect(sec.locator('#team-1 .members')).to_contain_text('Lý Thị Kim Ngân')

    sec.goto(f'/plans/{plan_id}')
    _advance(sec, 'Chuyển sang xếp lịch')

    sec.goto(f'/plans/{plan_id}/schedule')
    add = sec.locator('#add-visit')
    add.locator('select[name=team]').select_option(label='1')
    add.locator('select[name=commune]').select_option(COMMUNE)
    add.locator('input[name=day]').fill('2019-08-20')  # after the fieldwork window: a conflict
    add.locator('input[name=starts]').fill('07:30')
    add.locator('input[name=ends]').fill('11:00')
    add.get_by_role('button', name='Xếp lịch').click()
    expect(sec.locator('#conflicts')).to_contain_text('nằm ngoài thời gian kiểm tra')
    row = sec.locator('table.schedule tr.conflict')
    expect(row).to_have_count(1)
    expect(row.locator('.conflict-msg')).to_contain_text('Xã Phú Mỹ')
    visit_id = int(row.get_attribute('id').split('-')[1])
    # The plan page says why visiting cannot start.
    sec.goto(f'/plans/{plan_id}')
    expect(sec.locator('.step.blocked')).to_contain_text('Lịch còn xung đột')
    sec.goto(f'/plans/{plan_id}/schedule')
    row = sec.locator(f'#visit-{visit_id}')
    row.locator('summary').click()
    row.locator('input[name=day]').fill('2019-08-06')
    row.get_by_role('button', name='Lưu lịch mới').click()
    expect(sec.locator('.flash.ok')).to_contain_text('Đã đổi lịch')
    expect(sec.locator('#conflicts')).to_have_count(0)
    expect(sec.locator('table.schedule tr.conflict')).to_have_count(0)
    sec.goto(f'/plans/{plan_id}')
    _advance(sec, 'Bắt đầu làm việc tại cơ sở')

    # --- the team member: the visit form ---------------------------------------------------------------
    member = new_context().new_page()
    js_errors: list[str] = []
    member.on('pageerror', lambda exc: js_errors.append(str(exc)))
    login(member, 'ngan.ltk')
    member.goto(f'/visits/{visit_id}')
    form = member.locator('#visit-form')
    expect(form).to_have_attribute('data-ready', '1')

    # Most answers are typed in by the page's own autosave request (valid answers of the demo round);
    # the branch, the photo and the submit go through the form itself.
    from inspect_flow.visits.models import Visit

    with live_server.app.app_context():
        from sqlalchemy.orm import Session

        with Session(live_server.engine) as s:
            answers = checklist_answers(1, s.get(Visit, visit_id))
    assert answers['reports_on_time'] == 'yes' and 'reports_late' not in answers
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

    # A wrong value is said beside its item as soon as the draft is saved, and the message goes once fixed.
    models = member.locator('.item[data-item="effective_models"]')
    models.locator('input').fill('vài mô hình')
    expect(models.locator('.error')).to_contain_text('số nguyên', timeout=10_000)
    expect(models).to_have_class(re.compile('has-error'))
    models.locator('input').fill(str(answers['effective_models']))
    expect(models.locator('.error')).to_have_count(0, timeout=10_000)

    late = member.locator('.item[data-item="reports_late"]')
    on_time = member.locator('.item[data-item="reports_on_time"]')
    expect(on_time.locator('input[value=yes]')).to_be_checked()
    expect(late).to_be_hidden()
    on_time.locator('input[value=no]').check()  # reports late: the follow-up question appears live
    expect(late).to_be_visible()
    on_time.locator('input[value=yes]').check()
    expect(late).to_be_hidden()
    on_time.locator('input[value=no]').check()
    expect(late).to_be_visible()
    late.locator('input').fill('2')
    expect(member.locator('[data-autosave-status]')).to_contain_text('Đã lưu nháp', timeout=10_000)

    photo = member.locator('.item[data-item="session_photo"]')
    photo.locator('input[type=file]').set_input_files(
        {'name': 'buoi-lam-viec.jpg', 'mimeType': 'image/jpeg', 'buffer': _jpeg()})
    expect(photo.locator('img.thumb')).to_be_visible()
    expect(member.locator('[data-autosave-status]')).to_contain_text('Đã tải ảnh lên')
    # The thumbnail is served back (only files the visit's answers refer to are).
    thumb = member.request.get(photo.locator('img.thumb').get_attribute('src'))
    assert thumb.status == 200 and thumb.headers['content-type'] == 'image/jpeg'

    member.locator('[data-submit]').click()
    member.wait_for_load_state()
    expect(member.locator('.flash.ok')).to_contain_text('Đã nộp kết quả', timeout=10_000)
    expect(member.locator('.meta .badge')).to_have_class(re.compile('state-submitted'))
    stored = _scalar(live_server, 'select answers from visits where id = :v', v=visit_id)
    assert '"reports_late": 2' in stored and '"reports_on_time": "no"' in stored and 'sha256:' in stored
    assert js_errors == []

    # --- the team leader: return once, then accept the suggestions and approve ---------------------------
    leader = new_context().new_page()
    login(leader, 'cong.td5')  # lands on their own work, where the submitted visit waits for review
    leader.locator(f'#work-reviews a[href="/visits/{visit_id}"]').click()
    review = leader.locator('#review')
    review.get_by_role('button', name='Trả lại để sửa').click()  # no comment: refused beside the field
    expect(leader.locator('#review .error')).to_be_visible()
    leader.locator('#review textarea[name=comment]').fill('Bổ sung số hộ vay vốn quá hạn theo sổ của NHCSXH.')
    leader.locator('#review').get_by_role('button', name='Trả lại để sửa').click()
    expect(leader.locator('.flash.ok')).to_contain_text('Đã trả lại')

    member.goto('/me')  # the returned visit waits under "to correct", with the leader's comment
    expect(member.locator('#work-to_fix')).to_contain_text('Bổ sung số hộ vay vốn quá hạn')
    member.locator(f'#work-to_fix a[href="/visits/{visit_id}"]').click()
    expect(member.locator('.card.warn')).to_contain_text('Bổ sung số hộ vay vốn quá hạn')
    member.locator('.item[data-item="loan_overdue"] input').fill('17.5')
    member.locator('[data-submit]').click()
    member.wait_for_load_state()
    expect(member.locator('.flash.ok')).to_contain_text('Đã nộp kết quả')

    leader.goto(f'/visits/{visit_id}')
    # Suggestions not decided yet: the approve button is disabled and the page says why.
    expect(leader.locator('#review').get_by_role('button', name='Duyệt kết quả')).to_be_disabled()
    expect(leader.locator('#review .blockers')).to_contain_text('chưa được chấp nhận hoặc loại bỏ')
    suggested = leader.locator('li.finding.status-suggested')
    count = suggested.count()
    assert count >= 1, leader.locator('main').inner_text()[:2000]
    for _ in range(count):
        leader.locator('li.finding.status-suggested').first.get_by_role('button', name='Chấp nhận').click()
        leader.wait_for_load_state()
    expect(leader.locator('li.finding.status-suggested')).to_have_count(0)
    leader.locator('#review').get_by_role('button', name='Duyệt kết quả').click()
    expect(leader.locator('.flash.ok')).to_contain_text('Đã duyệt')
    assert _scalar(live_server, 'select state from visits where id = :v', v=visit_id) == 'reviewed'

    # --- the secretariat: conclusion, recommendation, the conclusion notice -------------------------------
    sec.goto(f'/plans/{plan_id}')
    _advance(sec, 'Tổng hợp kết quả kiểm tra')
    sec.goto(f'/plans/{plan_id}/conclusions')
    new = sec.locator('#new-conclusion')
    new.locator('textarea[name=summary]').fill('Huyện đã triển khai Đề án sinh kế đúng kế hoạch; còn hộ sử dụng '
                                               'vốn vay chưa đúng mục đích.')
    new.get_by_role('button', name='Ghi kết luận').click()
    expect(sec.locator('.flash.ok')).to_contain_text('Đã ghi kết luận')
    conclusion = sec.locator('section.conclusion', has_text='Huyện Mỏ Cày Bắc')
    conclusion.locator('textarea[name=text]').fill(REC_TEXT)
    # the conclusion's district is the default addressee
    expect(conclusion.locator('input[name=addressee_unit_q]')).to_have_value('Huyện Mỏ Cày Bắc — Tỉnh Bến Tre')
    conclusion.locator('input[name=deadline]').fill('2019-10-31')
    conclusion.get_by_role('button', name='Thêm kiến nghị').click()
    expect(sec.locator('.flash.ok')).to_contain_text('Đã thêm kiến nghị')
    expect(sec.locator('section.conclusion ol.recs')).to_contain_text(REC_TEXT)
    rec_id = _scalar(live_server, 'select id from recommendations where text = :t', t=REC_TEXT)
    assert rec_id is not None
    _issue_conclusion_notice(sec, live_server, plan_id)

    # --- the district official: the inbox, a progress report --------------------------------------------
    official = new_context().new_page()
    login(official, 'huyen.mcb')
    assert official.url.endswith('/me')  # lands on their own work: the recommendation waits there
    expect(official.locator('#work-recommendations')).to_contain_text(REC_TEXT)
    official.locator('nav.mainnav').get_by_role('link', name='Kết luận, kiến nghị').click()
    assert official.url.endswith('/inbox')
    item = official.locator('li.rec', has_text=REC_TEXT)
    expect(item).to_be_visible()
    _see_the_notice_in_the_inbox(official)
    item.get_by_role('link', name=REC_TEXT).click()
    report = official.locator('#report-form')
    report.get_by_role('button', name='Gửi báo cáo').click()  # nothing written: refused beside the field
    expect(report.locator('.field.has-error')).to_be_visible()
    report.locator('textarea[name=text]').fill('Đã rà soát 45 hộ vay vốn; 3 hộ đã cam kết sử dụng đúng mục đích.')
    report.locator('input[name=report_date]').fill('2019-09-20')
    report.locator('input[type=file]').set_input_files(
        {'name': 'bien-ban-ra-soat.jpg', 'mimeType': 'image/jpeg', 'buffer': _jpeg()})
    report.locator('input[name=completed]').check()
    report.get_by_role('button', name='Gửi báo cáo').click()
    expect(official.locator('.flash.ok')).to_contain_text('Đã gửi báo cáo')
    expect(official.locator('ol.reports')).to_contain_text('Đã rà soát 45 hộ')
    assert _scalar(live_server, 'select count(*) from follow_up_reports where recommendation_id = :r', r=rec_id) == 1
    assert _scalar(live_server, 'select state from recommendations where id = :r', r=rec_id) == 'done'


def _issue_conclusion_notice(sec, live_server, plan_id: int) -> None:  # noqa: ANN001
    """The secretariat previews the draft notice, then issues it with its date and signer."""
    sec.goto(f'/plans/{plan_id}/documents')
    row = sec.locator('#doc-conclusion-838')
    expect(row).to_contain_text('Thông báo kết luận - Huyện Mỏ Cày Bắc')
    expect(row.locator('.badge')).to_have_text('Bản nháp')
    draft = sec.request.get(row.get_by_role('link', name='HTML').get_attribute('href'))
    assert draft.status == 200 and REC_TEXT.rstrip('.') in draft.text()
    row.locator('summary').click()
    row.locator('input[name=date]').fill('2019-08-26')
    row.get_by_role('button', name='Cấp số và ban hành').click()  # no signer yet: refused beside the field
    row = sec.locator('#doc-conclusion-838')
    expect(row.locator('.field.has-error')).to_contain_text('người ký')
    expect(row.locator('input[name=date]')).to_have_value('2019-08-26')
    row.locator('input[name=signer]').fill('Nguyễn Văn Hiếu')
    row.get_by_role('button', name='Cấp số và ban hành').click()
    expect(sec.locator('.flash.ok')).to_contain_text('Đã ban hành văn bản số')
    row = sec.locator('#doc-conclusion-838')
    expect(row.locator('.badge')).to_have_text('Đã ban hành')
    expect(row.locator('.doc-download')).to_contain_text('26/08/2019')
    doc_id = _scalar(live_server, "select id from documents where plan_id = :p and kind = 'conclusion'", p=plan_id)
    assert doc_id is not None
    sha = _scalar(live_server, 'select sha256 from documents where id = :d', d=doc_id)
    pdf = sec.request.get(f'/documents/{doc_id}.pdf')
    assert pdf.status == 200 and pdf.body().startswith(b'%PDF') and pdf.headers['x-content-sha256'] == sha


def _see_the_notice_in_the_inbox(official) -> None:  # noqa: ANN001
    """The district official finds the issued notice in the inbox and downloads it."""
    notice = official.locator('#documents li.issued-doc', has_text='26/08/2019')
    expect(notice).to_contain_text('huyện Mỏ Cày Bắc')
    with official.expect_download() as info:
        notice.get_by_role('link').click()
    download = info.value
    assert download.suggested_filename.startswith('TB-') and download.suggested_filename.endswith('-conclusion-838.pdf')
    with open(download.path(), 'rb') as fh:
        assert fh.read(5) == b'%PDF-'
