"""Finding categories as a managed vocabulary: one name per topic, its English name, and the synonyms that map
to it ("Phối hợp" → "Phối hợp thực hiện", "Tuyên truyền" → "Tuyên truyền, đối thoại").

Every category a finding is stored with passes through :func:`canonical_category` (the finding operations call it
where they store one): a synonym becomes its category, whatever its case, tone marks or spacing; a name outside
the vocabulary is refused with the list to pick from. The checklists' finding rules use the vocabulary's names
(their test checks it), the pages offer it as the category field's suggestions, and the secretariat extends it with
:func:`add_category` and :func:`add_synonym` (``inspect-flow findings categories``), both audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.core.text import fold


class FindingCategory(Base):
    """One category of the vocabulary."""

    __tablename__ = 'finding_categories'

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name findings are stored and counted under, e.g. "Phối hợp thực hiện".
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(120), default='')
    #: Other names that mean the same topic: ["Phối hợp"].
    synonyms: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f'<FindingCategory {self.name!r}>'


@dataclass(frozen=True)
class Category:
    name: str
    name_en: str
    synonyms: tuple[str, ...] = ()


#: The vocabulary the migration loads: the categories of the shipped checklists and of the 2019 and 2026 rounds,
#: with the variants found in their data as synonyms.
DEFAULT_CATEGORIES = (
    Category('Tổ chức, chỉ đạo', 'Organisation and direction',
             ('Kiện toàn Ban Chỉ đạo', 'Tổ chức bộ máy', 'Chỉ đạo, điều hành', 'Tổ chức chỉ đạo')),
    Category('Phối hợp thực hiện', 'Coordination', ('Phối hợp',)),
    Category('Tuyên truyền, đối thoại', 'Communication and dialogue',
             ('Tuyên truyền', 'Truyền thông', 'Đối thoại', 'Đối thoại với người nghèo')),
    Category('Thực hiện chính sách', 'Policies delivered', ('Chính sách',)),
    Category('Sử dụng vốn vay', 'Use of loans', ('Tín dụng chính sách', 'Vốn vay')),
    Category('Đề án sinh kế', 'Livelihood project', ('Đề án',)),
    Category('Hỗ trợ sinh kế', 'Livelihood support', ('Sinh kế',)),
    Category('Đối tượng tham gia Đề án', 'Project participants', ('Đối tượng được hỗ trợ',)),
    Category('Sổ nhật ký hộ gia đình', 'Household diaries', ('Sổ nhật ký',)),
    Category('Kết quả giảm nghèo', 'Poverty-reduction results', ('Kết quả',)),
    Category('Nhận thức của người dân', 'Household attitudes', ('Nhận thức của người nghèo', 'Nhận thức')),
    Category('Kiểm tra, giám sát', 'Monitoring', ('Giám sát',)),
    Category('Báo cáo', 'Reporting', ('Báo cáo, thống kê',)),
    Category('Hồ sơ', 'Records', ('Hồ sơ, sổ sách',)),
    Category('Huy động nguồn lực', 'Resources mobilised'),
    Category('Dữ liệu hộ nghèo', 'Poor-household data', ('Rà soát hộ nghèo',)),
    Category('Nhà ở', 'Housing'),
    Category('Địa bàn', 'Area and population', ('Địa bàn rộng',)),
)


def default_synonym_map() -> dict[str, str]:
    """The folded name or synonym → category name, of :data:`DEFAULT_CATEGORIES` (the migration uses it)."""
    return {fold(n): c.name for c in DEFAULT_CATEGORIES for n in (c.name, *c.synonyms)}


def vocabulary(session: Session) -> list[FindingCategory]:
    """The categories, in their order."""
    return list(session.scalars(sa.select(FindingCategory).order_by(FindingCategory.position, FindingCategory.id)))


def synonym_map(session: Session) -> dict[str, str]:
    """The folded name or synonym → category name, from the database (read without flushing: the operations that
    store a finding write their record in one flush)."""
    with session.no_autoflush:
        rows = session.execute(sa.select(FindingCategory.name, FindingCategory.synonyms)).all()
    return {fold(n): name for name, synonyms in rows for n in (name, *(synonyms or ()))}


def canonical_category(session: Session | object | None, text: str, *, field: str = 'category') -> str:
    """The category *text* names: itself, or the category it is a synonym of. *session*: a session, or a loaded
    record whose session is used (the plan a finding is added to); ``None``: the default vocabulary.

    :raise InvalidInput: *text* is not in the vocabulary (the message lists the categories to pick from)
    """
    if session is not None and not isinstance(session, Session):
        session = object_session(session)
    names = synonym_map(session) if session is not None else default_synonym_map()
    found = names.get(fold(text))
    if found is None:
        choices = ', '.join(sorted(set(names.values())))
        raise InvalidInput('category.unknown',
                           f'Nhóm "{text}" không có trong danh mục; chọn một trong: {choices}.',
                           f'The category "{text}" is not in the vocabulary; pick one of: {choices}.', field=field)
    return found


def category_matcher(session: Session | None):  # noqa: ANN201
    """A function giving the category a name stands for, or the name itself when it is not in the vocabulary (to
    compare names before storing; storing still refuses an unknown one). One query, however many names."""
    names = synonym_map(session) if session is not None else default_synonym_map()
    return lambda text: names.get(fold(text or ''), text)


def check_checklist_categories(session: Session | None, checklist) -> None:  # noqa: ANN001
    """Refuse a checklist whose finding rules name a category outside the vocabulary (checked when a plan pins it).

    :raise InvalidInput: field ``checklist``, naming the rule and its category
    """
    names = synonym_map(session) if session is not None else default_synonym_map()
    for rule in checklist.findings:
        if fold(rule.category.vi) not in names:
            raise InvalidInput(
                'checklist.unknown_category',
                f'Quy tắc "{rule.id}" của bộ câu hỏi {checklist.id} dùng nhóm "{rule.category.vi}" không có trong '
                f'danh mục nhóm kết quả.',
                f'Rule "{rule.id}" of checklist {checklist.id} uses the category "{rule.category.vi}", which is not '
                f'in the vocabulary of finding categories.', field='checklist')


def add_category(session: Session, name: str, name_en: str = '', *, actor: str,
                 synonyms: list[str] | None = None) -> FindingCategory:
    """Add a category to the vocabulary (audited).

    :raise Conflict: the name or a synonym already names a category
    """
    from inspect_flow.audit.operations import record_create

    name = ' '.join((name or '').split())
    if not name:
        raise InvalidInput('category.required', 'Phải nhập tên nhóm.', 'The category name is required.',
                           field='name')
    synonyms = [' '.join(s.split()) for s in synonyms or () if s.strip()]
    _refuse_taken(session, [name, *synonyms])
    position = (session.scalar(sa.select(sa.func.max(FindingCategory.position))) or 0) + 1
    cat = FindingCategory(name=name, name_en=name_en.strip(), synonyms=synonyms, position=position)
    session.add(cat)
    session.flush()
    record_create(cat, actor=actor, fields={'name': name, 'name_en': cat.name_en, 'synonyms': synonyms})
    session.flush()
    return cat


def add_synonym(session: Session, category: str, synonym: str, *, actor: str) -> FindingCategory:
    """Make *synonym* another name of *category* (audited); findings stored under it later get the category."""
    from inspect_flow.audit.operations import apply_changes

    name = canonical_category(session, category, field='category')
    cat = session.scalars(sa.select(FindingCategory).where(FindingCategory.name == name)).one()
    synonym = ' '.join((synonym or '').split())
    if not synonym:
        raise InvalidInput('synonym.required', 'Phải nhập từ đồng nghĩa.', 'The synonym is required.', field='synonym')
    _refuse_taken(session, [synonym])
    apply_changes(cat, {'synonyms': [*cat.synonyms, synonym]}, actor=actor)
    session.flush()
    return cat


def _refuse_taken(session: Session, names: list[str]) -> None:
    taken = synonym_map(session)
    for n in names:
        if fold(n) in taken:
            raise Conflict('category.taken', f'"{n}" đã là tên của nhóm "{taken[fold(n)]}".',
                           f'"{n}" already names the category "{taken[fold(n)]}".', field='name')
