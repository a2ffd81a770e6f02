"""The demo round's documents read as an official writes them (SQLite and PostgreSQL), read back from the PDFs:
numbering under its heading, nothing said twice, households in prose, each district's own recommendations,
figures attributed to what they measure. Each database's documents are rendered once for the module."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest

from inspect_flow.demo.round2019 import find_demo_plan
from inspect_flow.documents import operations as ops
from tests.conftest import DB_KINDS

from .conftest import open_demo_session

DISTRICTS = ('829', '831', '832', '833', '834', '835', '836', '837', '838')


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return '\n'.join(p.extract_text() for p in doc.pages)


def _flat(text: str) -> str:
    return ' '.join(text.split())


@pytest.fixture(scope='module', params=DB_KINDS)
def texts(request, demo_engines):  # noqa: ANN001, ANN201
    """The text of the nine notices, the round report, Mỏ Cày Nam's minutes and its team's report, plus the plan."""
    session, conn, outer = open_demo_session(demo_engines(request.param))
    try:
        plan = find_demo_plan(session)
        mcn = next(v for v in plan.visits if v.district.code == '833')
        out = {f'conclusion-{d}': _text(ops.render_draft(session, plan, 'conclusion', district=d).pdf)
               for d in DISTRICTS}
        out['report'] = _text(ops.render_draft(session, plan, 'report').pdf)
        out['minutes'] = _text(ops.render_draft(session, plan, 'minutes', visit=mcn.id).pdf)
        out['team_report'] = _text(ops.render_draft(session, plan, 'team_report', team=mcn.team.number).pdf)
        out['quota'] = plan.households_per_commune
        yield out
    finally:
        session.close()
        outer.rollback()
        conn.close()


def _recommendations(text: str) -> list[str]:
    """The items under "3. Đề nghị, nhiệm vụ thời gian tới", each as one line of text."""
    section = _flat(text.split('3. Đề nghị, nhiệm vụ thời gian tới', 1)[1].split('Trên đây là', 1)[0])
    return [s.strip() for s in re.split(r'(?=\b3\.\d+\. )', section) if s.strip()]


def test_a_notice_numbers_its_recommendations_under_heading_3(texts):  # noqa: ANN001
    for d in DISTRICTS:
        items = _recommendations(texts[f'conclusion-{d}'])
        assert items, d
        assert [i.split(' ', 1)[0] for i in items] == [f'3.{k}.' for k in range(1, len(items) + 1)], d
        assert not re.search(r'(?m)^1\. Tập trung', texts[f'conclusion-{d}'])


def test_each_district_gets_recommendations_drawn_from_its_own_findings(texts):  # noqa: ANN001
    def body(item: str) -> str:  # without the number and the addressee, which always differ
        return re.sub(r'^3\.\d+\. |\(Đơn vị thực hiện:.*$', '', item)

    sets = {d: tuple(body(i) for i in _recommendations(texts[f'conclusion-{d}'])) for d in DISTRICTS}
    # Not the same four everywhere: two districts get the same list only when the teams found the same kinds
    # of limitation there.
    assert len(set(sets.values())) > len(DISTRICTS) // 2
    # Each recommendation answers a limitation found in that district, and each such limitation is answered.
    pairs = [('rà soát việc sử dụng vốn vay', 'vốn vay'),
             ('tổng hợp, báo cáo; gửi báo cáo định kỳ', 'báo cáo còn chậm'),
             ('Rà soát danh sách hộ tham gia Đề án', 'không đúng đối tượng'),
             ('Đẩy mạnh tuyên truyền', 'tuyên truyền, thông tin'),
             ('thành lập tổ kiểm tra, giám sát', 'kiểm tra, giám sát thực hiện Đề án sinh kế chưa thường xuyên')]
    for d in DISTRICTS:
        text = _flat(texts[f'conclusion-{d}'])
        limitations = text.split('2. Hạn chế, tồn tại', 1)[1].split('3. Đề nghị', 1)[0]
        asked = text.split('3. Đề nghị', 1)[1]
        for recommendation, limitation in pairs:
            assert (recommendation in asked) == (limitation in limitations), (d, recommendation)


def test_the_round_report_states_each_limitation_once(texts):  # noqa: ANN001
    text = _flat(texts['report'])
    section = text.split('2. Hạn chế, tồn tại', 1)[1].split('3. Nguyên nhân', 1)[0]
    items = [re.sub(r'\s*\(\d+/\d+ xã\)[;.]?$', '', i.strip()) for i in section.split('- ')[1:]]
    assert items and len(items) == len(set(items)), items
    assert sum('chưa thật sự bền vững' in i for i in items) == 1
    assert 'hộ tái nghèo)' not in section


def test_households_read_as_prose_and_match_the_plans_quota(texts):  # noqa: ANN001
    minutes = _flat(texts['minutes'])
    section = minutes.split('4. Tham vấn hộ', 1)[1].split('III. NHẬN XÉT', 1)[0]
    assert f'Đoàn tham vấn trực tiếp {texts["quota"]:02d} hộ' in section
    assert len(re.findall(r'\b[a-z]\) Hộ ', section)) == texts['quota']
    assert 'Hộ đã được hỗ trợ thẻ bảo hiểm y tế' in section
    for dump in ('Mức độ hữu ích của hỗ trợ theo ý kiến hộ:', 'hộ thuộc đúng đối tượng của Đề án;', 'đã nhận hỗ trợ:'):
        assert dump not in section
    team = _flat(texts['team_report'])
    consulted = team.split('Kết quả tham vấn hộ', 1)[1].split('Ý kiến của địa phương', 1)[0]
    assert 'Các hộ đã được hỗ trợ' in consulted and re.search(r'Có \d\d/\d\d hộ tham gia Đề án sinh kế', consulted)
    assert not re.search(r'[:] \d\d/\d\d hộ;', consulted), consulted  # "Label: 04/05 hộ; Label: …" is a data dump


def test_figures_are_attributed_to_what_they_measure(texts):  # noqa: ANN001
    # The seed's 1.968 / 755 are Mỏ Cày Nam's whole district over 2016-2018: the district's report says so…
    minutes = _flat(texts['minutes'])
    assert 'toàn huyện Mỏ Cày Nam có 1.968 hộ tham gia' in minutes and '755 hộ' in minutes
    # …and the nine communes' table does not add up to them.
    report = _flat(texts['report'])
    total = report.split('Bảng 3.', 1)[1].split('Tổng cộng', 1)[1].split('II.', 1)[0]
    assert '1.968' not in total and '755' not in total and '38,36%' not in total
    # A commune's own figure says whose it is, in a notice about the district.
    notice = _flat(texts['conclusion-833'])
    assert re.search(r'- Xã An Thạnh có \d+ hộ tham gia Đề án', notice)
    assert not re.search(r'- Có \d+ hộ', notice)
