"""The checklist expression language: a subset of XLSForm/ODK XPath, parsed and evaluated by hand.

One language serves relevance (skip logic), constraints, calculations and finding rules. Nothing here
calls ``eval``/``exec``/``compile``: text goes through a tokenizer and a recursive-descent parser to an
AST of frozen dataclasses, and :func:`evaluate` walks that AST.

Grammar (lowest precedence first, as in XPath 1.0)::

    or_expr   := and_expr ('or' and_expr)*
    and_expr  := eq_expr ('and' eq_expr)*
    eq_expr   := rel_expr (('=' | '!=') rel_expr)*
    rel_expr  := add_expr (('<' | '<=' | '>' | '>=') add_expr)*
    add_expr  := mul_expr (('+' | '-') mul_expr)*
    mul_expr  := unary (('*' | 'div' | 'mod') unary)*
    unary     := '-'* primary
    primary   := NUMBER | STRING | '${' NAME '}' | '.' | '(' or_expr ')' | NAME '(' [or_expr (',' or_expr)*] ')'

Values are strings, numbers (floats), booleans, dates, and node-sets (the rows of a repeat, or one item
over all rows). Empty answers are the empty string, as in ODK: ``'' = ''`` is true, ``'' + 1`` is NaN and
every comparison of NaN is false. Positions in error messages are 1-based character columns.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import regex as _regex

from inspect_flow.checklist.errors import ExpressionError

MAX_LENGTH = 4000
#: Parentheses, function calls and unary minus signs nested deeper than this are refused (parser recursion).
MAX_NESTING = 40
#: Syntax trees deeper than this are refused (evaluator recursion): e.g. a chain of 100 additions.
MAX_DEPTH = 100
NAME_PATTERN = r'[A-Za-z_][A-Za-z0-9_.-]*'
_EPOCH = dt.date(1970, 1, 1)

# --------------------------------------------------------------------------------------------------
# AST


@dataclass(frozen=True, slots=True)
class Literal:
    """A string or number literal."""

    value: str | float
    pos: int


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference ``${name}`` to an item."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the value being checked (only in constraints)."""

    pos: int


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus."""

    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Binary:
    """A binary operator: ``or and = != < <= > >= + - * div mod``."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    """A function call."""

    name: str
    args: tuple[Node, ...]
    pos: int


Node = Literal | Ref | Current | Neg | Binary | Call


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression: its source text and its AST."""

    source: str
    root: Node

    @property
    def references(self) -> list[Ref]:
        """Every ``${name}`` reference, in source order."""
        return [n for n in walk(self.root) if isinstance(n, Ref)]

    @property
    def uses_current(self) -> bool:
        """Whether the expression uses ``.`` (the value being checked)."""
        return any(isinstance(n, Current) for n in walk(self.root))


def walk(node: Node) -> Iterable[Node]:
    """Yield *node* and all its descendants, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Binary):
            stack.extend((current.right, current.left))
        elif isinstance(current, Neg):
            stack.append(current.operand)
        elif isinstance(current, Call):
            stack.extend(reversed(current.args))


# --------------------------------------------------------------------------------------------------
# Tokenizer

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<ref>\$\{(?P<refname>"""
    + NAME_PATTERN
    + r""")\})
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z_][A-Za-z0-9_-]*)?)
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number, string, ref, name, op, end
    text: str
    pos: int  # 1-based column


def tokenize(text: str) -> list[Token]:
    """Split *text* into tokens. Raise :class:`ExpressionError` on a character that starts no token."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        m = _TOKEN_RE.match(text, i)
        if m is None:
            ch = text[i]
            if text.startswith('${', i):
                raise _syntax(text, i + 1, 'tham chiếu ${...} không hợp lệ', 'malformed reference ${...}')
            if ch in '\'"':
                raise _syntax(text, i + 1, 'chuỗi chưa được đóng dấu nháy', 'unterminated string')
            raise _syntax(text, i + 1, f'ký tự không hợp lệ {ch!r}', f'unexpected character {ch!r}')
        kind = m.lastgroup
        if kind == 'refname':  # pragma: no cover - the outer group is always the last one
            kind = 'ref'
        if kind != 'ws':
            if kind == 'ref':
                tokens.append(Token('ref', m.group('refname'), i + 1))
            else:
                tokens.append(Token(kind, m.group(kind), i + 1))
        i = m.end()
    tokens.append(Token('end', '', n + 1))
    return tokens


# --------------------------------------------------------------------------------------------------
# Parser

#: name -> (min args, max args or None)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    'not': (1, 1),
    'true': (0, 0),
    'false': (0, 0),
    'selected': (2, 2),
    'count-selected': (1, 1),
    'if': (3, 3),
    'string-length': (1, 1),
    'concat': (1, None),
    'round': (1, 2),
    'int': (1, 1),
    'number': (1, 1),
    'string': (1, 1),
    'coalesce': (2, 2),
    'regex': (2, 2),
    'today': (0, 0),
    'count': (1, 1),
    'sum': (1, 1),
}
#: Functions whose argument is a node-set: a reference to a repeat or to an item in a repeat.
NODESET_FUNCTIONS = frozenset({'count', 'sum'})

_EQ_OPS = {'=', '!='}
_REL_OPS = {'<', '<=', '>', '>='}
_ADD_OPS = {'+', '-'}


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        tok = self.tok
        return (tok.kind == 'op' and tok.text in ops) or (tok.kind == 'name' and tok.text in ops)

    def expect_op(self, op: str, vi: str, en: str) -> Token:
        if self.tok.kind == 'op' and self.tok.text == op:
            return self.advance()
        raise self.unexpected(vi, en)

    def unexpected(self, vi: str | None = None, en: str | None = None) -> ExpressionError:
        tok = self.tok
        if tok.kind == 'end':
            got_vi, got_en = 'biểu thức kết thúc đột ngột', 'unexpected end of expression'
        else:
            got_vi, got_en = f'không mong đợi {tok.text!r}', f'unexpected {tok.text!r}'
        if vi and en:
            got_vi, got_en = f'{got_vi}; cần {vi}', f'{got_en}; expected {en}'
        return _syntax(self.text, tok.pos, got_vi, got_en)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _too_complex(self.text, pos)

    def parse(self) -> Node:
        if self.tok.kind == 'end':
            raise _syntax(self.text, 1, 'biểu thức rỗng', 'empty expression')
        node = self.or_expr()
        if self.tok.kind != 'end':
            raise self.unexpected('toán tử hoặc kết thúc biểu thức', 'an operator or the end of the expression')
        deepest = _deepest(node)
        if deepest is not None:
            raise _too_complex(self.text, deepest.pos)
        return node

    def _binary_chain(self, ops: set[str], operand: Callable[[], Node]) -> Node:
        left = operand()
        while self.is_op(*ops):
            op_tok = self.advance()
            left = Binary(op_tok.text, left, operand(), op_tok.pos)
        return left

    def or_expr(self) -> Node:
        return self._binary_chain({'or'}, self.and_expr)

    def and_expr(self) -> Node:
        return self._binary_chain({'and'}, self.eq_expr)

    def eq_expr(self) -> Node:
        return self._binary_chain(_EQ_OPS, self.rel_expr)

    def rel_expr(self) -> Node:
        return self._binary_chain(_REL_OPS, self.add_expr)

    def add_expr(self) -> Node:
        return self._binary_chain(_ADD_OPS, self.mul_expr)

    def mul_expr(self) -> Node:
        return self._binary_chain({'*', 'div', 'mod'}, self.unary)

    def unary(self) -> Node:
        signs: list[Token] = []
        while self.tok.kind == 'op' and self.tok.text == '-':
            signs.append(self.advance())
        for sign in signs:
            self.enter(sign.pos)
        node = self.primary()
        for sign in reversed(signs):
            node = Neg(node, sign.pos)
        self.depth -= len(signs)
        return node

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == 'number':
            self.advance()
            return Literal(_float(tok.text), tok.pos)
        if tok.kind == 'string':
            self.advance()
            return Literal(tok.text[1:-1], tok.pos)
        if tok.kind == 'ref':
            self.advance()
            return Ref(tok.text, tok.pos)
        if tok.kind == 'op' and tok.text == '.':
            self.advance()
            return Current(tok.pos)
        if tok.kind == 'op' and tok.text == '(':
            self.advance()
            self.enter(tok.pos)
            node = self.or_expr()
            self.expect_op(')', "')'", "')'")
            self.depth -= 1
            return node
        if tok.kind == 'name':
            return self.call()
        raise self.unexpected('một giá trị, ${tên} hoặc hàm', 'a value, a ${name} or a function')

    def call(self) -> Node:
        name_tok = self.advance()
        name = name_tok.text
        if not (self.tok.kind == 'op' and self.tok.text == '('):
            raise _syntax(
                self.text,
                name_tok.pos,
                f'tên {name!r} không đứng một mình được; tham chiếu mục phải viết ${{{name}}}',
                f'a bare name {name!r} is not allowed; refer to an item as ${{{name}}}',
            )
        if name not in FUNCTIONS:
            raise ExpressionError(
                'expression.unknown_function',
                f'hàm {name}() không được hỗ trợ; các hàm được hỗ trợ: {", ".join(sorted(FUNCTIONS))}',
                f'function {name}() is not supported; supported functions: {", ".join(sorted(FUNCTIONS))}',
                expression=self.text,
                position=name_tok.pos,
            )
        self.advance()  # (
        self.enter(name_tok.pos)
        args: list[Node] = []
        if not (self.tok.kind == 'op' and self.tok.text == ')'):
            args.append(self.or_expr())
            while self.tok.kind == 'op' and self.tok.text == ',':
                self.advance()
                args.append(self.or_expr())
        self.expect_op(')', "',' hoặc ')'", "',' or ')'")
        self.depth -= 1
        lo, hi = FUNCTIONS[name]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = str(lo) if lo == hi else (f'{lo}–{hi}' if hi is not None else f'≥ {lo}')
            want_en = str(lo) if lo == hi else (f'{lo}-{hi}' if hi is not None else f'at least {lo}')
            raise ExpressionError(
                'expression.arity',
                f'hàm {name}() cần {want} đối số, nhận {len(args)}',
                f'function {name}() takes {want_en} argument(s), got {len(args)}',
                expression=self.text,
                position=name_tok.pos,
            )
        if name in NODESET_FUNCTIONS and not isinstance(args[0], Ref):
            raise ExpressionError(
                'expression.type',
                f'đối số của {name}() phải là một tham chiếu ${{...}}',
                f'the argument of {name}() must be a ${{...}} reference',
                expression=self.text,
                position=name_tok.pos,
            )
        if name == 'regex' and isinstance(args[1], Literal) and isinstance(args[1].value, str):
            _compile_regex(args[1].value, self.text, args[1].pos)
        return Call(name, tuple(args), name_tok.pos)


def _too_complex(text: str, pos: int) -> ExpressionError:
    return ExpressionError(
        'expression.too_complex',
        f'biểu thức quá phức tạp (lồng quá {MAX_NESTING} cấp hoặc cây cú pháp sâu quá {MAX_DEPTH} tầng)',
        f'expression too complex (nested more than {MAX_NESTING} levels or a syntax tree deeper than {MAX_DEPTH})',
        expression=text,
        position=pos,
    )


def _deepest(root: Node) -> Node | None:
    """Return the first node found below :data:`MAX_DEPTH`, or ``None`` when the tree is shallow enough."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        if isinstance(node, Binary):
            stack.extend(((node.left, depth + 1), (node.right, depth + 1)))
        elif isinstance(node, Neg):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, Call):
            stack.extend((a, depth + 1) for a in node.args)
    return None


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Expression:
    return Expression(text, _Parser(text).parse())


def parse(text: str) -> Expression:
    """Parse *text* into an :class:`Expression`.

    :raise ExpressionError: the text is not a valid expression (the error names the position)
    """
    if not isinstance(text, str):
        raise ExpressionError(
            'expression.syntax',
            'biểu thức phải là chuỗi',
            'an expression must be text',
            expression=repr(text),
            position=1,
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            'expression.too_complex',
            f'biểu thức dài quá {MAX_LENGTH} ký tự',
            f'expression longer than {MAX_LENGTH} characters',
            expression=text[:80],
            position=MAX_LENGTH + 1,
        )
    return _parse_cached(text)


# --------------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class NodeSet:
    """The values of one item across the rows of a repeat (or the rows themselves, for a repeat id)."""

    values: tuple[Any, ...]
    name: str = ''


Value = str | float | bool | dt.date | NodeSet

_NUMBER_RE = re.compile(r'^\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$')
_DATE_RE = re.compile(r'^[0-9]{4}-[0-9]{2}-[0-9]{2}$')


def _float(text: str) -> float:
    try:
        return float(text)
    except OverflowError:  # pragma: no cover - float() of a digit string returns inf rather than raising
        return math.inf


def parse_date(text: str) -> dt.date | None:
    """Return the date of an ISO ``YYYY-MM-DD`` string, or ``None``."""
    if isinstance(text, str) and _DATE_RE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def is_number_text(text: str) -> bool:
    """Whether *text* is a number as XPath reads one (optional minus, digits, optional decimals)."""
    return bool(_NUMBER_RE.match(text))


def to_number(v: Value) -> float:
    """XPath ``number()``: NaN for anything that is not a number."""
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        return float(v) if _NUMBER_RE.match(v) else math.nan
    if isinstance(v, dt.date):
        return float((v - _EPOCH).days)
    return math.nan  # pragma: no cover - node-sets are refused before conversion


def format_number(x: float) -> str:
    """XPath ``string()`` of a number: ``3`` not ``3.0``; ``NaN``; ``Infinity``."""
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def to_string(v: Value) -> str:
    """XPath ``string()``."""
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return format_number(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return ''  # pragma: no cover - node-sets are refused before conversion


def to_bool(v: Value) -> bool:
    """XPath ``boolean()``: non-zero numbers, non-empty strings, dates are true."""
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not (v == 0 or math.isnan(v))
    if isinstance(v, str):
        return v != ''
    if isinstance(v, NodeSet):  # pragma: no cover - node-sets are refused before conversion
        return bool(v.values)
    return True


def _to_date_number(v: Value) -> float:
    if isinstance(v, str):
        d = parse_date(v.strip())
        if d is not None:
            return float((d - _EPOCH).days)
    return to_number(v)


def coerce_answer(raw: Any, type_: str | None = None) -> Value:
    """Turn a stored answer into an expression value.

    ``None`` becomes ``''``; a boolean answer to a known item becomes ``'true'``/``'false'``; numbers
    become floats; a list (a multiple choice) becomes its space-separated names; a valid ISO date answer
    to a date item becomes a date; a numeric string answer to a number item becomes a number. Anything
    else becomes ``''``.

    :param type_: the item type, when known
    """
    if raw is None:
        return ''
    if isinstance(raw, bool):
        # No item type takes a boolean answer: for a known item it is the invalid text ``true``/``false``
        # (so True is neither 'yes' nor 1), as it would be in ODK; an untyped value stays a boolean.
        return raw if type_ is None else ('true' if raw else 'false')
    if isinstance(raw, int):
        try:
            return float(raw)
        except OverflowError:
            return math.inf if raw > 0 else -math.inf
    if isinstance(raw, float):
        return raw
    if isinstance(raw, str):
        if type_ == 'date':
            d = parse_date(raw)
            return d if d is not None else raw
        if type_ in ('integer', 'decimal', 'percentage') and _NUMBER_RE.match(raw):
            return float(raw)
        return raw
    if isinstance(raw, list | tuple):
        return ' '.join(to_string(coerce_answer(x)) for x in raw if not isinstance(x, list | tuple | dict))
    if isinstance(raw, dt.date):
        return raw if type_ in (None, 'date') else raw.isoformat()
    return ''


# --------------------------------------------------------------------------------------------------
# Contexts


class Context:
    """What an expression can see. Subclasses resolve ``${name}``."""

    today: dt.date
    current: Value

    def lookup(self, name: str, pos: int, expression: str) -> Value:  # pragma: no cover - interface
        raise NotImplementedError


class AnswersContext(Context):
    """A context over plain answers ``{item: value, repeat: [{item: value}, ...]}``.

    :param answers: the answers
    :param types: item types by id (``date``, ``integer``, ``repeat``...), to coerce values as the
        engine does; names missing from it are taken as they come
    :param repeats: ``{repeat_id: {child ids}}``; inferred from *answers* (a list of dicts) when omitted
    :param row: ``(repeat_id, index)`` when evaluating inside a repeat row
    :param current: the value of ``.``
    :param today: the date ``today()`` returns (the real date by default)
    """

    def __init__(
        self,
        answers: Mapping[str, Any],
        *,
        types: Mapping[str, str] | None = None,
        repeats: Mapping[str, Iterable[str]] | None = None,
        row: tuple[str, int] | None = None,
        current: Any = None,
        today: dt.date | None = None,
    ):
        self.answers = answers if isinstance(answers, Mapping) else {}
        self.types = dict(types or {})
        if repeats is None:
            inferred: dict[str, set[str]] = {}
            for key, value in self.answers.items():
                if self.types.get(key) == 'repeat' or (
                    isinstance(value, list) and value and all(isinstance(r, Mapping) for r in value)
                ):
                    rows = value if isinstance(value, list) else []
                    inferred[key] = {k for r in rows if isinstance(r, Mapping) for k in r}
            self.repeats = inferred
        else:
            self.repeats = {k: set(v) for k, v in repeats.items()}
        self.parent = {child: rep for rep, children in self.repeats.items() for child in children}
        self.row = row
        self.current = coerce_answer(current, None)
        self.today = today or dt.date.today()

    def _rows(self, repeat: str) -> list[Mapping[str, Any]]:
        rows = self.answers.get(repeat)
        if not isinstance(rows, list):
            return []
        return [r if isinstance(r, Mapping) else {} for r in rows]

    def lookup(self, name: str, pos: int, expression: str) -> Value:
        type_ = self.types.get(name)
        if name in self.repeats:
            return NodeSet(tuple('' for _ in self._rows(name)), name)
        parent = self.parent.get(name)
        if parent is not None:
            rows = self._rows(parent)
            if self.row is not None and self.row[0] == parent:
                index = self.row[1]
                row = rows[index] if 0 <= index < len(rows) else {}
                return coerce_answer(row.get(name), type_)
            return NodeSet(tuple(coerce_answer(r.get(name), type_) for r in rows), name)
        return coerce_answer(self.answers.get(name), type_)


# --------------------------------------------------------------------------------------------------
# Evaluator


def evaluate(expression: Expression | str, context: Context) -> Value:
    """Evaluate *expression* in *context* and return its value.

    :raise ExpressionError: the expression does not parse, or an operand has the wrong type
        (e.g. an item of a repeat used outside ``count()``/``sum()``, or an invalid regular expression)
    """
    expr = parse(expression) if isinstance(expression, str) else expression
    value = _Evaluator(expr.source, context).eval(expr.root)
    if isinstance(value, NodeSet):
        raise _nodeset_error(expr.source, expr.root)
    return value


def evaluate_bool(expression: Expression | str, context: Context) -> bool:
    """Evaluate *expression* and convert the result with XPath ``boolean()``."""
    return to_bool(evaluate(expression, context))


def _nodeset_error(text: str, node: Node) -> ExpressionError:
    name = node.name if isinstance(node, Ref) else ''
    return ExpressionError(
        'expression.type',
        f'${{{name}}} là dữ liệu của nhóm lặp (nhiều dòng); chỉ dùng được trong count() hoặc sum()',
        f'${{{name}}} holds the rows of a repeat; use it only inside count() or sum()',
        expression=text,
        position=node.pos,
    )


#: How long one regular expression of a checklist may run on one answer, in seconds. A pattern with
#: catastrophic backtracking (``(a+)+$``) would otherwise hang the request that checks an answer.
REGEX_TIMEOUT = 0.05


@lru_cache(maxsize=1024)
def _compile_regex_cached(pattern: str) -> _regex.Pattern:
    return _regex.compile(pattern, _regex.VERSION0)


def compile_pattern(pattern: str) -> _regex.Pattern:
    """Compile a checklist's regular expression (XLSForm ``regex()``, a ``pattern`` constraint).

    :raise regex.error: the pattern is malformed
    """
    return _compile_regex_cached(pattern)


def pattern_matches(pattern: _regex.Pattern, value: str, *, full: bool) -> bool:
    """Whether *value* matches (all of it when *full*), giving up after :data:`REGEX_TIMEOUT`.

    :raise TimeoutError: the pattern ran too long on this value
    """
    if full:
        return pattern.fullmatch(value, timeout=REGEX_TIMEOUT) is not None
    return pattern.search(value, timeout=REGEX_TIMEOUT) is not None


def _compile_regex(pattern: str, text: str, pos: int) -> _regex.Pattern:
    try:
        return _compile_regex_cached(pattern)
    except (_regex.error, re.error, OverflowError, RecursionError, ValueError) as exc:
        raise ExpressionError(
            'expression.regex',
            f'biểu thức chính quy {pattern!r} không hợp lệ: {exc}',
            f'invalid regular expression {pattern!r}: {exc}',
            expression=text,
            position=pos,
        ) from None


def _div(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        negative = (a < 0) != (math.copysign(1.0, b) < 0)
        return -math.inf if negative else math.inf
    return a / b


def _mod(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or b == 0:
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def _round(x: float, digits: float) -> float:
    if math.isnan(x) or math.isinf(x) or math.isnan(digits) or math.isinf(digits):
        return x if not math.isnan(digits) else math.nan
    d = int(digits)
    if d > 300 or d < -300:
        return x if d > 0 else 0.0
    try:
        q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)
        return float(q)
    except (InvalidOperation, ValueError, OverflowError):
        return x


def _compare(op: str, a: float, b: float) -> bool:
    if op == '<':
        return a < b
    if op == '<=':
        return a <= b
    if op == '>':
        return a > b
    return a >= b


def values_equal(a: Value, b: Value) -> bool:
    """XPath ``=`` between two scalar values."""
    if isinstance(a, bool) or isinstance(b, bool):
        return to_bool(a) == to_bool(b)
    if isinstance(a, float) or isinstance(b, float):
        return to_number(a) == to_number(b)
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        return _to_date_number(a) == _to_date_number(b)
    return to_string(a) == to_string(b)


class _Evaluator:
    def __init__(self, text: str, ctx: Context):
        self.text = text
        self.ctx = ctx

    def scalar(self, node: Node) -> Value:
        value = self.eval(node)
        if isinstance(value, NodeSet):
            raise _nodeset_error(self.text, node)
        return value

    def eval(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return self.ctx.lookup(node.name, node.pos, self.text)
        if isinstance(node, Current):
            return self.ctx.current
        if isinstance(node, Neg):
            return -to_number(self.scalar(node.operand))
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def binary(self, node: Binary) -> Value:
        op = node.op
        if op == 'or':
            return to_bool(self.scalar(node.left)) or to_bool(self.scalar(node.right))
        if op == 'and':
            return to_bool(self.scalar(node.left)) and to_bool(self.scalar(node.right))
        a = self.scalar(node.left)
        b = self.scalar(node.right)
        if op == '=':
            return values_equal(a, b)
        if op == '!=':
            return not values_equal(a, b)
        if op in _REL_OPS:
            if isinstance(a, dt.date) or isinstance(b, dt.date):
                return _compare(op, _to_date_number(a), _to_date_number(b))
            return _compare(op, to_number(a), to_number(b))
        x, y = to_number(a), to_number(b)
        if op == '+':
            return x + y
        if op == '-':
            return x - y
        if op == '*':
            return x * y
        if op == 'div':
            return _div(x, y)
        return _mod(x, y)

    def call(self, node: Call) -> Value:
        name, args = node.name, node.args
        if name == 'if':
            return self.scalar(args[1]) if to_bool(self.scalar(args[0])) else self.scalar(args[2])
        if name == 'count':
            value = self.eval(args[0])
            return float(len(value.values)) if isinstance(value, NodeSet) else 1.0
        if name == 'sum':
            value = self.eval(args[0])
            if isinstance(value, NodeSet):
                return math.fsum(to_number(v) for v in value.values) if value.values else 0.0
            return to_number(value)
        if name == 'true':
            return True
        if name == 'false':
            return False
        if name == 'today':
            return self.ctx.today
        vals = [self.scalar(a) for a in args]
        if name == 'not':
            return not to_bool(vals[0])
        if name == 'selected':
            return to_string(vals[1]).strip() in to_string(vals[0]).split()
        if name == 'count-selected':
            return float(len(to_string(vals[0]).split()))
        if name == 'string-length':
            return float(len(to_string(vals[0])))
        if name == 'concat':
            return ''.join(to_string(v) for v in vals)
        if name == 'round':
            return _round(to_number(vals[0]), to_number(vals[1]) if len(vals) > 1 else 0.0)
        if name == 'int':
            x = to_number(vals[0])
            return float(math.trunc(x)) if math.isfinite(x) else x
        if name == 'number':
            return to_number(vals[0])
        if name == 'string':
            return to_string(vals[0])
        if name == 'coalesce':
            return vals[0] if to_string(vals[0]) != '' else vals[1]
        if name == 'regex':
            pattern = _compile_regex(to_string(vals[1]), self.text, args[1].pos)
            try:
                return pattern_matches(pattern, to_string(vals[0]), full=False)
            except (TimeoutError, RecursionError):  # pathological backtracking
                raise _compile_regex_error(self.text, args[1].pos) from None
        raise AssertionError(name)  # pragma: no cover - the parser only admits known functions


def _compile_regex_error(text: str, pos: int) -> ExpressionError:
    return ExpressionError(
        'expression.regex',
        'biểu thức chính quy quá phức tạp (chạy quá lâu trên câu trả lời này)',
        'regular expression too complex (it ran too long on this answer)',
        expression=text,
        position=pos,
    )


def _syntax(text: str, pos: int, vi: str, en: str) -> ExpressionError:
    return ExpressionError(
        'expression.syntax', f'lỗi cú pháp: {vi}', f'syntax error: {en}', expression=text, position=pos
    )


def plain_value(value: Value) -> Any:
    """Turn an expression value into a JSON-able answer, as ODK stores a calculation.

    Integral numbers become ints, NaN and infinities become ``''`` (empty), booleans ``'true'``/``'false'``,
    dates ISO strings.
    """
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float):
        if not math.isfinite(value):
            return ''
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, NodeSet):  # pragma: no cover - evaluate() refuses node-sets
        return ''
    return value
