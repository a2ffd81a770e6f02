"""Reading checklist files: YAML with line numbers, then :func:`~inspect_flow.checklist.validation.build_checklist`.

The YAML is composed to a node tree first (PyYAML's ``compose``), so every field keeps the line it was
written on and an error can say where it is. Booleans follow YAML 1.2: only ``true``/``false`` are
booleans, so ``yes``, ``no``, ``on`` and ``off`` stay text (answer codes such as ``no`` are safe).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from inspect_flow.checklist.errors import ChecklistFileError
from inspect_flow.checklist.model import Checklist
from inspect_flow.checklist.validation import Loc, build_checklist, format_loc
from inspect_flow.core.text import nfc_text

_BOOL_TAG = 'tag:yaml.org,2002:bool'
_TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp'


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, and no timestamps: ``2025-07-01`` stays text (the checklist checks
    its dates itself, so ``2025-02-30`` is a named error rather than a crash in the YAML library)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL_TAG, re.compile(r'^(?:true|True|TRUE|false|False|FALSE)$'), list('tTfF'))


def load_checklist(path: str | Path) -> Checklist:
    """Read, validate and return the checklist in the YAML file *path*.

    :raise ChecklistFileError: the file cannot be read or is not a valid checklist; the message names
        the file, the line and the field
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ChecklistFileError(
            'checklist.unreadable',
            f'không đọc được tệp ({exc.strerror or exc})',
            f'cannot read the file ({exc.strerror or exc})',
            path=path,
            line=None,
            field=None,
        ) from None
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b'\n') + 1
        raise ChecklistFileError(
            'checklist.encoding',
            'tệp không được mã hóa UTF-8',
            'the file is not UTF-8 encoded',
            path=path,
            line=line,
            field=None,
        ) from None
    return parse_checklist_text(text, path=path)


def parse_checklist_text(text: str, *, path: str | Path | None = None) -> Checklist:
    """Validate and return the checklist written as YAML *text*.

    :param path: the file name to put in error messages
    """
    data, lines = read_yaml(nfc_text(text), path=path)  # NFC before parsing: the keys' lines are found as stored
    return build_checklist(data, path=path, lines=lines)


def read_yaml(text: str, *, path: str | Path | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML *text*; return the data and ``{field path: line}``.

    :raise ChecklistFileError: bad YAML, a duplicate key, an alias, or a non-text key
    """
    try:
        loader = _Loader(text)  # checks the characters of the whole text first
    except yaml.reader.ReaderError as exc:
        # A control character (e.g. pasted from a word processor) is not allowed anywhere in YAML.
        line = text[: exc.position].count('\n') + 1
        code = f'U+{exc.character:04X}' if isinstance(exc.character, int) else repr(exc.character)
        raise ChecklistFileError(
            'checklist.bad_yaml',
            f'YAML không hợp lệ: ký tự điều khiển {code} không được phép trong tệp',
            f'invalid YAML: the control character {code} is not allowed in the file',
            path=path,
            line=line,
            field=None,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ChecklistFileError('checklist.empty', 'tệp rỗng', 'the file is empty', path=path, line=1, field=None)
        lines: dict[Loc, int] = {}
        _collect(node, (), lines, set(), path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # PyYAML's own words are English; the line where the unfinished construct began is often the culprit
        # (an unclosed bracket or quote), so it is named beside the line where parsing failed.
        context_vi = context_en = exc.context or ''
        if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
            if exc.context_mark.line != exc.problem_mark.line:
                context_vi = f'{exc.context} (bắt đầu ở dòng {exc.context_mark.line + 1})'
                context_en = f'{exc.context} (started on line {exc.context_mark.line + 1})'
        problem_vi = ': '.join(p for p in (context_vi, exc.problem) if p)
        problem_en = ': '.join(p for p in (context_en, exc.problem) if p)
        raise ChecklistFileError(
            'checklist.bad_yaml',
            f'YAML không hợp lệ: {problem_vi}',
            f'invalid YAML: {problem_en}',
            path=path,
            line=mark.line + 1 if mark else None,
            field=None,
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - the reader's errors are handled above, the rest are marked
        raise ChecklistFileError(
            'checklist.bad_yaml', f'YAML không hợp lệ: {exc}', f'invalid YAML: {exc}', path=path, line=None, field=None
        ) from None
    finally:
        loader.dispose()
    return data, lines


def _collect(node: Node, loc: Loc, lines: dict[Loc, int], seen: set[int], path: str | Path | None) -> None:
    if id(node) in seen:
        raise ChecklistFileError(
            'checklist.bad_yaml',
            'không hỗ trợ neo và bí danh YAML (&neo / *bí-danh)',
            'YAML anchors and aliases (&anchor / *alias) are not supported',
            path=path,
            line=node.start_mark.line + 1,
            field=format_loc(loc) or None,
        )
    seen.add(id(node))
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        keys: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ChecklistFileError(
                    'checklist.bad_yaml',
                    'khóa phải là một chuỗi đơn giản',
                    'a key must be a plain scalar',
                    path=path,
                    line=key_node.start_mark.line + 1,
                    field=format_loc(loc) or None,
                )
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in keys:
                raise ChecklistFileError(
                    'checklist.duplicate_key',
                    f'khóa {key!r} xuất hiện hai lần (lần đầu ở dòng {keys[key]})',
                    f'key {key!r} appears twice (first on line {keys[key]})',
                    path=path,
                    line=line,
                    field=format_loc(loc + (key,)),
                )
            keys[key] = line
            lines[loc + (key,)] = line
            _collect(value_node, loc + (key,), lines, seen, path)
    elif isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            _collect(child, loc + (index,), lines, seen, path)
