"""Text is stored in NFC whatever door it comes in by; a name typed in NFD finds the same person and cannot make a
look-alike; the issue's scenario; the migration that normalizes stored rows. Both databases."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from inspect_flow.core import migrate
from inspect_flow.core.db import make_engine
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.core.text import fold, name_key, nfc
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import Plan, PlanChecklist, TeamRole
from inspect_flow.plans.scheduling import find_conflicts
from inspect_flow.units import operations as unit_ops
from inspect_flow.units.models import Person
from tests import builders

A = 'tester'
NAME = 'Nguyễn Thị Thanh Thảo'
AGENCY = 'Sở Lao động - Thương binh và Xã hội'


def nfd(text: str) -> str:
    return unicodedata.normalize('NFD', text)


def is_nfc(value) -> bool:  # noqa: ANN001
    if isinstance(value, str):
        return unicodedata.is_normalized('NFC', value)
    if isinstance(value, dict):
        return all(is_nfc(k) and is_nfc(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_nfc(v) for v in value)
    return True


# --- the helpers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(('given_', 'expected'), [
    (nfd('Đặng Thị Hồng'), 'Đặng Thị Hồng'),
    (f'ascii, then {nfd("ư")}', 'ascii, then ư'),
    ([nfd('Luật Thanh tra'), 3, None], ['Luật Thanh tra', 3, None]),
    ({nfd('ý kiến'): {'x': [nfd('Thống nhất')]}}, {'ý kiến': {'x': ['Thống nhất']}}),
    ((nfd('ấp'), 1), ('ấp', 1)),
])
def test_nfc_normalizes_strings_and_the_strings_inside_json(given_, expected) -> None:  # noqa: ANN001
    out = nfc(given_)
    assert out == expected and is_nfc(out)
    assert given_ != expected  # the NFD input itself is left as it was (not changed in place)
    assert nfc(expected) is expected  # what is NFC already comes back as the same object, nothing copied
    assert nfc('plain ascii') == 'plain ascii'


@pytest.mark.parametrize(('a', 'b', 'same_key', 'same_fold'), [
    (NAME, nfd(NAME), True, True),
    (NAME, '  nguyễn  THỊ thanh thảo ', True, True),
    (NAME, 'Nguyen Thi Thanh Thao', False, True),
    ('Lê Văn An', 'Lệ Văn An', False, True),  # tone marks tell names apart, searching ignores them
    ('Hà Văn Nam', 'Hồ Văn Nam', False, False),
])
def test_name_key_and_fold(a: str, b: str, same_key: bool, same_fold: bool) -> None:
    assert (name_key(a) == name_key(b)) is same_key
    assert (fold(a) == fold(b)) is same_fold


# --- any text in, NFC stored and read back ----------------------------------------------------------------

VIETNAMESE = st.sampled_from(['Nguyễn', 'Đặng', 'Thị', 'Hồng', 'ưởng', 'Phước', 'Mỏ Cày', 'Ấp', 'Kỹ', 'thuở'])
ANY_TEXT = st.text(st.characters(exclude_categories=('Cs', 'Cc')), min_size=1, max_size=30)
TEXT = st.one_of(ANY_TEXT, st.lists(VIETNAMESE, min_size=1, max_size=4).map(' '.join)).flatmap(
    lambda t: st.sampled_from([t, nfd(t), unicodedata.normalize('NFKD', t)]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TEXT, title=TEXT, agency=TEXT, bases=st.lists(TEXT, max_size=3))
def test_any_text_in_is_nfc_when_stored_and_read_back(session, name, title, agency, bases):  # noqa: ANN001
    nested = session.begin_nested()
    try:
        try:
            person = unit_ops.add_person(session, full_name=name, title=title, agency=agency)
        except InvalidInput:  # a name of spaces only
            assert not name.split()
            return
        plan = builders.new_plan(session, teams=0)
        plan_ops.update_plan(session, plan, {'legal_bases': bases}, actor=A)
        pid, plan_id = person.id, plan.id
        session.flush()
        session.expire_all()
        stored = session.get(Person, pid)
        assert stored.full_name == unicodedata.normalize('NFC', ' '.join(name.split()))
        assert stored.title == unicodedata.normalize('NFC', title).strip()
        assert stored.agency == unicodedata.normalize('NFC', agency.strip())
        assert session.get(Plan, plan_id).legal_bases == [unicodedata.normalize('NFC', b) for b in bases]
        raw = session.execute(sa.text('select full_name, title, agency from people where id = :id'),
                              {'id': pid}).one()
        assert all(unicodedata.is_normalized('NFC', v) for v in raw)
        audit = session.execute(sa.text('select changes from audit_entries where plan_id = :id'),
                                {'id': plan_id}).scalars().all()
        assert audit and all(is_nfc(json.loads(c) if isinstance(c, str) else c) for c in audit)
    finally:
        nested.rollback()


# --- people -----------------------------------------------------------------------------------------------

def test_a_look_alike_of_a_person_is_refused_naming_the_field_and_the_person(session):  # noqa: ANN001
    first = unit_ops.add_person(session, full_name=NAME, agency=AGENCY)
    count = session.scalar(sa.select(sa.func.count()).select_from(Person))
    for typed, agency in [(nfd(NAME), AGENCY), (NAME.upper(), nfd(AGENCY)), (f'  {nfd(NAME)}  ', f' {AGENCY.lower()}')]:
        with pytest.raises(Conflict) as refused:
            unit_ops.add_person(session, full_name=typed, agency=agency)
        err = refused.value
        assert err.code == 'person.duplicate' and err.field == 'full_name'
        assert err.details == [{'person_id': first.id}]
        assert f'mã số {first.id}' in err.message_vi and f'id {first.id}' in err.message_en
        assert NAME in err.message_vi and 'Họ và tên' in err.message_vi and 'Full name' in err.message_en
    assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == count
    # the same name in another agency, or a name that differs by a tone mark, is another person
    assert unit_ops.add_person(session, full_name=nfd(NAME), agency='Ngân hàng Chính sách xã hội tỉnh').id != first.id
    assert unit_ops.add_person(session, full_name='Nguyễn Thị Thanh Thạo', agency=AGENCY).id != first.id


def test_find_person_ignores_case_spaces_nfd_and_then_tone_marks(session):  # noqa: ANN001
    person = unit_ops.add_person(session, full_name=NAME, agency=AGENCY)
    for typed in (NAME, nfd(NAME), f' {NAME.lower()} ', 'nguyen thi thanh thao', nfd('NGUYỄN THỊ THANH THẢO')):
        assert unit_ops.find_person(session, typed) is person
    assert unit_ops.find_person(session, str(person.id)) is person
    # two people who differ only by tone marks: the name typed with its marks finds its own person ...
    le = unit_ops.add_person(session, full_name='Lê Văn Nhỏ', agency=AGENCY)
    le2 = unit_ops.add_person(session, full_name='Lệ Văn Nhỏ', agency=AGENCY)
    assert unit_ops.find_person(session, nfd('Lê Văn Nhỏ')) is le
    assert unit_ops.find_person(session, 'lệ văn nhỏ') is le2
    # ... and typed without marks it is ambiguous, and says so
    with pytest.raises(InvalidInput) as ambiguous:
        unit_ops.find_person(session, 'Le Van Nho')
    assert ambiguous.value.code == 'person.ambiguous' and ambiguous.value.field == 'person'


def _at(h: int, m: int = 0) -> datetime:
    return datetime(2019, 7, 11, h, m)


def test_the_issue_scenario_the_nfd_look_alike_cannot_hide_a_double_booking(session):  # noqa: ANN001
    """A person typed in NFD used to become a look-alike who led a second team at the same hour unnoticed."""
    plan = builders.new_plan(session, leaders=False)
    t1, t2 = plan.teams
    leader = unit_ops.add_person(session, full_name=NAME, agency=AGENCY)
    plan_ops.add_member(session, t1, leader, TeamRole.leader, actor=A)
    with pytest.raises(Conflict) as refused:  # the look-alike cannot be made ...
        unit_ops.add_person(session, full_name=nfd(NAME), agency=AGENCY)
    assert refused.value.code == 'person.duplicate'
    same = unit_ops.find_person(session, nfd(NAME))  # ... the name typed in NFD finds the person
    assert same is leader
    plan_ops.add_member(session, t2, same, TeamRole.leader, actor=A)
    plan_ops.advance_plan(session, plan, 'schedule', actor=A)
    plan_ops.schedule_visit(session, plan, t1, '28951', _at(7, 30), _at(11, 30), actor=A)
    _, conflicts = plan_ops.schedule_visit(session, plan, t2, '28936', _at(8), _at(10), actor=A)
    doubled = [c for c in conflicts if c.rule == 'person_double_booked']
    assert len(doubled) == 1 and doubled[0].vi.startswith(f'{NAME} (Đoàn 1 và Đoàn 2) có hai buổi làm việc trùng giờ')
    assert 'person_double_booked' in [c.rule for c in find_conflicts(plan)]
    assert session.scalar(sa.select(sa.func.count()).select_from(Person).where(Person.agency == AGENCY)) == 1


# --- the migration ------------------------------------------------------------------------------------------

MIGRATION = 'a8d4c2f6e1b3'


def _sha(content) -> str:  # noqa: ANN001
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(',', ':'))
                          .encode()).hexdigest()


def test_the_migration_turns_stored_nfd_rows_into_nfc(db_url):  # noqa: ANN001
    from alembic.script import ScriptDirectory

    from inspect_flow.checklist import find_checklist
    from inspect_flow.plans.checklists import as_checklist, pin_checklist

    engine = make_engine(db_url, poolclass=sa.pool.NullPool)
    with Session(engine) as s:  # rows as the code before this revision could store them (written around the ORM)
        plan = builders.new_plan(s, teams=1)
        pin = pin_checklist(s, plan, find_checklist('poverty-supervision', '2019.1'), actor=A)
        nfc_sha, content_nfd = pin.sha256, nfd_everything(pin.content)
        s.execute(sa.update(Plan.__table__).where(Plan.id == plan.id).values(
            subject=nfd('Kiểm tra công tác giảm nghèo'), legal_bases=[nfd('Luật Thanh tra 2010'), 'ASCII']))
        s.execute(sa.update(PlanChecklist.__table__).where(PlanChecklist.id == pin.id).values(
            content=content_nfd, sha256=_sha(content_nfd)))
        s.execute(sa.insert(Person.__table__).values(full_name=nfd(NAME), title=nfd('Chuyên viên'), agency=''))
        s.commit()
        plan_id, pin_id = plan.id, pin.id
    assert content_nfd != nfc(content_nfd)
    down = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(MIGRATION).down_revision
    migrate.downgrade(engine, down)
    migrate.upgrade(engine)
    with Session(engine) as s:
        plan = s.get(Plan, plan_id)
        assert plan.subject == 'Kiểm tra công tác giảm nghèo' and plan.legal_bases == ['Luật Thanh tra 2010', 'ASCII']
        names = s.scalars(sa.select(Person.full_name)).all()
        assert NAME in names and all(unicodedata.is_normalized('NFC', n) for n in names)
        pin = s.get(PlanChecklist, pin_id)
        assert pin.content == nfc(content_nfd) and is_nfc(pin.content)
        assert pin.sha256 == nfc_sha  # computed again over the new content: the pin is the shipped checklist again
        assert as_checklist(pin).sha256 == nfc_sha  # and it is not refused as tampered
        for table in ('people', 'plans', 'plan_checklists', 'audit_entries'):
            for row in s.execute(sa.text(f'select * from {table}')).mappings():  # noqa: S608
                assert all(is_nfc(_json_or_text(v)) for v in row.values()), (table, row)
    engine.dispose()


def _json_or_text(value):  # noqa: ANN001, ANN202
    """A JSON column read by raw SQL on SQLite is its text, with the non-ASCII characters escaped."""
    if isinstance(value, str) and value[:1] in ('[', '{'):
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


def nfd_everything(value):  # noqa: ANN001, ANN201
    if isinstance(value, str):
        return nfd(value)
    if isinstance(value, dict):
        return {k: nfd_everything(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfd_everything(v) for v in value]
    return value


@pytest.mark.parametrize('typed', ['thao.vpt', ' THAO.VPT ', nfd('Thảo.vpt'), 'thảo.vpt'])
def test_login_names_are_compared_in_nfc_lower_case(typed: str) -> None:
    from inspect_flow.accounts.operations import login_name

    name = login_name(typed)
    assert name == unicodedata.normalize('NFC', typed.strip().lower()) and unicodedata.is_normalized('NFC', name)
    assert login_name(nfd(typed)) == name
