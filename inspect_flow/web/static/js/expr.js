/* The checklist expression language in the browser: a port of inspect_flow/checklist/expressions.py.
   Same tokenizer, grammar, value rules and error codes/positions; tested against
   tests/checklist/expression_cases.json by the browser tests. No eval. */
(function (global) {
  'use strict';
  var FUNCTIONS = {
    'not': [1, 1], 'true': [0, 0], 'false': [0, 0], 'selected': [2, 2], 'count-selected': [1, 1], 'if': [3, 3],
    'string-length': [1, 1], 'concat': [1, null], 'round': [1, 2], 'int': [1, 1], 'number': [1, 1],
    'string': [1, 1], 'coalesce': [2, 2], 'regex': [2, 2], 'today': [0, 0], 'count': [1, 1], 'sum': [1, 1]
  };
  var NODESET = { count: true, sum: true };
  var NUMBER_RE = /^\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$/;
  var DATE_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  var TOKEN_RE = /([ \t\r\n]+)|([0-9]+(?:\.[0-9]*)?|\.[0-9]+)|('[^']*'|"[^"]*")|(\$\{([A-Za-z_][A-Za-z0-9_.-]*)\})|([A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z_][A-Za-z0-9_-]*)?)|(!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\.)/y;

  function ExprError(code, message, position) { this.code = code; this.message = message; this.position = position; }
  ExprError.prototype = Object.create(Error.prototype);

  function DateValue(days) { this.days = days; }  // days since 1970-01-01
  DateValue.prototype.iso = function () { return new Date(this.days * 86400000).toISOString().slice(0, 10); };
  function parseDate(text) {
    if (typeof text !== 'string' || !DATE_RE.test(text)) return null;
    var d = new Date(text + 'T00:00:00Z');
    if (isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) return null;
    return new DateValue(Math.round(d.getTime() / 86400000));
  }
  function NodeSet(values, name) { this.values = values; this.name = name || ''; }

  function tokenize(text) {
    var tokens = [], i = 0, n = text.length, m;
    while (i < n) {
      TOKEN_RE.lastIndex = i;
      m = TOKEN_RE.exec(text);
      if (!m) {
        var ch = text[i];
        if (text.substr(i, 2) === '${') throw new ExprError('expression.syntax', 'malformed reference', i + 1);
        if (ch === "'" || ch === '"') throw new ExprError('expression.syntax', 'unterminated string', i + 1);
        throw new ExprError('expression.syntax', 'unexpected character ' + ch, i + 1);
      }
      if (m[2] !== undefined) tokens.push({ kind: 'number', text: m[2], pos: i + 1 });
      else if (m[3] !== undefined) tokens.push({ kind: 'string', text: m[3], pos: i + 1 });
      else if (m[4] !== undefined) tokens.push({ kind: 'ref', text: m[5], pos: i + 1 });
      else if (m[6] !== undefined) tokens.push({ kind: 'name', text: m[6], pos: i + 1 });
      else if (m[7] !== undefined) tokens.push({ kind: 'op', text: m[7], pos: i + 1 });
      i = TOKEN_RE.lastIndex;
    }
    tokens.push({ kind: 'end', text: '', pos: n + 1 });
    return tokens;
  }

  function Parser(text) { this.text = text; this.tokens = tokenize(text); this.i = 0; }
  Parser.prototype.tok = function () { return this.tokens[this.i]; };
  Parser.prototype.advance = function () { return this.tokens[this.i++]; };
  Parser.prototype.isOp = function (ops) {
    var t = this.tok();
    return (t.kind === 'op' || t.kind === 'name') && ops.indexOf(t.text) >= 0;
  };
  Parser.prototype.unexpected = function () {
    var t = this.tok();
    return new ExprError('expression.syntax', t.kind === 'end' ? 'unexpected end of expression' : 'unexpected ' + t.text, t.pos);
  };
  Parser.prototype.parse = function () {
    if (this.tok().kind === 'end') throw new ExprError('expression.syntax', 'empty expression', 1);
    var node = this.orExpr();
    if (this.tok().kind !== 'end') throw this.unexpected();
    return node;
  };
  Parser.prototype.chain = function (ops, operand) {
    var left = operand.call(this);
    while (this.isOp(ops)) {
      var op = this.advance();
      left = { t: 'bin', op: op.text, left: left, right: operand.call(this), pos: op.pos };
    }
    return left;
  };
  Parser.prototype.orExpr = function () { return this.chain(['or'], this.andExpr); };
  Parser.prototype.andExpr = function () { return this.chain(['and'], this.eqExpr); };
  Parser.prototype.eqExpr = function () { return this.chain(['=', '!='], this.relExpr); };
  Parser.prototype.relExpr = function () { return this.chain(['<', '<=', '>', '>='], this.addExpr); };
  Parser.prototype.addExpr = function () { return this.chain(['+', '-'], this.mulExpr); };
  Parser.prototype.mulExpr = function () { return this.chain(['*', 'div', 'mod'], this.unary); };
  Parser.prototype.unary = function () {
    var signs = [];
    while (this.tok().kind === 'op' && this.tok().text === '-') signs.push(this.advance());
    var node = this.primary();
    for (var k = signs.length - 1; k >= 0; k--) node = { t: 'neg', operand: node, pos: signs[k].pos };
    return node;
  };
  Parser.prototype.primary = function () {
    var t = this.tok();
    if (t.kind === 'number') { this.advance(); return { t: 'lit', value: parseFloat(t.text), pos: t.pos }; }
    if (t.kind === 'string') { this.advance(); return { t: 'lit', value: t.text.slice(1, -1), pos: t.pos }; }
    if (t.kind === 'ref') { this.advance(); return { t: 'ref', name: t.text, pos: t.pos }; }
    if (t.kind === 'op' && t.text === '.') { this.advance(); return { t: 'cur', pos: t.pos }; }
    if (t.kind === 'op' && t.text === '(') {
      this.advance();
      var node = this.orExpr();
      if (!(this.tok().kind === 'op' && this.tok().text === ')')) throw this.unexpected();
      this.advance();
      return node;
    }
    if (t.kind === 'name') return this.call();
    throw this.unexpected();
  };
  Parser.prototype.call = function () {
    var nameTok = this.advance(), name = nameTok.text;
    if (!(this.tok().kind === 'op' && this.tok().text === '(')) {
      throw new ExprError('expression.syntax', 'a bare name is not allowed; write ${' + name + '}', nameTok.pos);
    }
    if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, name)) {
      throw new ExprError('expression.unknown_function', 'function ' + name + '() is not supported', nameTok.pos);
    }
    this.advance();
    var args = [];
    if (!(this.tok().kind === 'op' && this.tok().text === ')')) {
      args.push(this.orExpr());
      while (this.tok().kind === 'op' && this.tok().text === ',') { this.advance(); args.push(this.orExpr()); }
    }
    if (!(this.tok().kind === 'op' && this.tok().text === ')')) throw this.unexpected();
    this.advance();
    var lo = FUNCTIONS[name][0], hi = FUNCTIONS[name][1];
    if (args.length < lo || (hi !== null && args.length > hi)) {
      throw new ExprError('expression.arity', 'function ' + name + '() takes ' + lo + ' argument(s)', nameTok.pos);
    }
    if (NODESET[name] && args[0].t !== 'ref') {
      throw new ExprError('expression.type', 'the argument of ' + name + '() must be a ${...} reference', nameTok.pos);
    }
    if (name === 'regex' && args[1].t === 'lit' && typeof args[1].value === 'string') compileRegex(args[1].value, args[1].pos);
    return { t: 'call', name: name, args: args, pos: nameTok.pos };
  };

  var cache = {};
  function parse(text) {
    if (!Object.prototype.hasOwnProperty.call(cache, text)) cache[text] = new Parser(text).parse();
    return cache[text];
  }

  function compileRegex(pattern, pos) {
    try { return new RegExp(pattern, 'u'); } catch (e) {
      throw new ExprError('expression.regex', 'invalid regular expression ' + pattern, pos);
    }
  }

  function toNumber(v) {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return NUMBER_RE.test(v) ? parseFloat(v) : NaN;
    if (v instanceof DateValue) return v.days;
    return NaN;
  }
  function formatNumber(x) {
    if (isNaN(x)) return 'NaN';
    if (!isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
    return String(x);
  }
  function toString(v) {
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return formatNumber(v);
    if (v instanceof DateValue) return v.iso();
    return '';
  }
  function toBool(v) {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return !(v === 0 || isNaN(v));
    if (typeof v === 'string') return v !== '';
    if (v instanceof NodeSet) return v.values.length > 0;
    return true;
  }
  function toDateNumber(v) {
    if (typeof v === 'string') { var d = parseDate(v.trim()); if (d) return d.days; }
    return toNumber(v);
  }
  function coerce(raw, type) {
    if (raw === null || raw === undefined) return '';
    if (typeof raw === 'boolean' || typeof raw === 'number') return raw;
    if (typeof raw === 'string') {
      if (type === 'date') { var d = parseDate(raw); return d || raw; }
      if ((type === 'integer' || type === 'decimal' || type === 'percentage') && NUMBER_RE.test(raw)) return parseFloat(raw);
      return raw;
    }
    if (Array.isArray(raw)) {
      return raw.filter(function (x) { return !(x !== null && typeof x === 'object'); })
        .map(function (x) { return toString(coerce(x)); }).join(' ');
    }
    return '';
  }
  function valuesEqual(a, b) {
    if (typeof a === 'boolean' || typeof b === 'boolean') return toBool(a) === toBool(b);
    if (typeof a === 'number' || typeof b === 'number') return toNumber(a) === toNumber(b);
    if (a instanceof DateValue || b instanceof DateValue) return toDateNumber(a) === toDateNumber(b);
    return toString(a) === toString(b);
  }
  function div(a, b) {
    if (b === 0) {
      if (a === 0 || isNaN(a)) return NaN;
      var neg = (a < 0) !== (Object.is(b, -0));
      return neg ? -Infinity : Infinity;
    }
    return a / b;
  }
  function mod(a, b) {
    if (isNaN(a) || isNaN(b) || !isFinite(a) || b === 0) return NaN;
    if (!isFinite(b)) return a;
    return a % b;  // JavaScript's % keeps the dividend's sign, as XPath and fmod
  }
  function round(x, digits) {
    if (isNaN(x) || !isFinite(x) || isNaN(digits) || !isFinite(digits)) return isNaN(digits) ? NaN : x;
    var d = Math.trunc(digits);
    if (d > 300 || d < -300) return d > 0 ? x : 0;
    // Half away from zero on the decimal text of x (as Python's Decimal(repr(x)) with ROUND_HALF_UP).
    var sign = x < 0 ? -1 : 1, ax = Math.abs(x);
    var shifted = Number(Math.round(Number(ax + 'e' + d)) + 'e' + (-d));
    if (d >= 0) {
      var s = ax.toString();
      if (s.indexOf('e') < 0) {
        var parts = s.split('.'), frac = parts[1] || '';
        if (frac.length > d && frac[d] === '5' && /^0*$/.test(frac.slice(d + 1))) {
          shifted = Number((BigIntSafe(parts[0] + frac.slice(0, d)) + 1) + 'e' + (-d));
        }
      }
    }
    return sign * shifted;
  }
  function BigIntSafe(digits) { return Number(digits); }
  function compare(op, a, b) {
    if (op === '<') return a < b; if (op === '<=') return a <= b; if (op === '>') return a > b; return a >= b;
  }

  function AnswersContext(answers, opts) {
    opts = opts || {};
    this.answers = answers && typeof answers === 'object' ? answers : {};
    this.types = opts.types || {};
    var repeats = opts.repeats;
    if (!repeats) {
      repeats = {};
      for (var key in this.answers) {
        var v = this.answers[key];
        if (this.types[key] === 'repeat' || (Array.isArray(v) && v.length && v.every(function (r) { return r && typeof r === 'object' && !Array.isArray(r); }))) {
          var children = {};
          (Array.isArray(v) ? v : []).forEach(function (r) { if (r && typeof r === 'object') for (var k in r) children[k] = true; });
          repeats[key] = Object.keys(children);
        }
      }
    }
    this.repeats = repeats;
    this.parent = {};
    for (var rep in repeats) repeats[rep].forEach(function (c) { this.parent[c] = rep; }, this);
    this.row = opts.row || null;
    this.current = coerce(opts.current === undefined ? null : opts.current, null);
    this.today = opts.today ? parseDate(opts.today) : parseDate(new Date().toISOString().slice(0, 10));
  }
  AnswersContext.prototype.rows = function (rep) {
    var rows = this.answers[rep];
    if (!Array.isArray(rows)) return [];
    return rows.map(function (r) { return r && typeof r === 'object' ? r : {}; });
  };
  AnswersContext.prototype.lookup = function (name) {
    var type = this.types[name];
    if (Object.prototype.hasOwnProperty.call(this.repeats, name)) return new NodeSet(this.rows(name).map(function () { return ''; }), name);
    var parent = this.parent[name];
    if (parent !== undefined) {
      var rows = this.rows(parent);
      if (this.row && this.row[0] === parent) {
        var row = rows[this.row[1]] || {};
        return coerce(row[name], type);
      }
      return new NodeSet(rows.map(function (r) { return coerce(r[name], type); }), name);
    }
    return coerce(this.answers[name], type);
  };

  function nodesetError(node) {
    return new ExprError('expression.type', '${' + (node.name || '') + '} holds the rows of a repeat; use it only inside count() or sum()', node.pos);
  }

  function evalNode(node, ctx) {
    switch (node.t) {
      case 'lit': return node.value;
      case 'ref': return ctx.lookup(node.name);
      case 'cur': return ctx.current;
      case 'neg': return -toNumber(scalar(node.operand, ctx));
      case 'bin': return binary(node, ctx);
      default: return call(node, ctx);
    }
  }
  function scalar(node, ctx) {
    var v = evalNode(node, ctx);
    if (v instanceof NodeSet) throw nodesetError(node);
    return v;
  }
  function binary(node, ctx) {
    var op = node.op;
    if (op === 'or') return toBool(scalar(node.left, ctx)) || toBool(scalar(node.right, ctx));
    if (op === 'and') return toBool(scalar(node.left, ctx)) && toBool(scalar(node.right, ctx));
    var a = scalar(node.left, ctx), b = scalar(node.right, ctx);
    if (op === '=') return valuesEqual(a, b);
    if (op === '!=') return !valuesEqual(a, b);
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      if (a instanceof DateValue || b instanceof DateValue) return compare(op, toDateNumber(a), toDateNumber(b));
      return compare(op, toNumber(a), toNumber(b));
    }
    var x = toNumber(a), y = toNumber(b);
    if (op === '+') return x + y;
    if (op === '-') return x - y;
    if (op === '*') return x * y;
    if (op === 'div') return div(x, y);
    return mod(x, y);
  }
  function call(node, ctx) {
    var name = node.name, args = node.args, value;
    if (name === 'if') return toBool(scalar(args[0], ctx)) ? scalar(args[1], ctx) : scalar(args[2], ctx);
    if (name === 'count') { value = evalNode(args[0], ctx); return value instanceof NodeSet ? value.values.length : 1; }
    if (name === 'sum') {
      value = evalNode(args[0], ctx);
      if (value instanceof NodeSet) return value.values.reduce(function (s, v) { return s + toNumber(v); }, 0);
      return toNumber(value);
    }
    if (name === 'true') return true;
    if (name === 'false') return false;
    if (name === 'today') return ctx.today;
    var vals = args.map(function (a) { return scalar(a, ctx); });
    switch (name) {
      case 'not': return !toBool(vals[0]);
      case 'selected': return toString(vals[0]).split(/\s+/).filter(Boolean).indexOf(toString(vals[1]).trim()) >= 0;
      case 'count-selected': return toString(vals[0]).split(/\s+/).filter(Boolean).length;
      case 'string-length': return Array.from(toString(vals[0])).length;
      case 'concat': return vals.map(toString).join('');
      case 'round': return round(toNumber(vals[0]), vals.length > 1 ? toNumber(vals[1]) : 0);
      case 'int': { var x = toNumber(vals[0]); return isFinite(x) ? Math.trunc(x) : x; }
      case 'number': return toNumber(vals[0]);
      case 'string': return toString(vals[0]);
      case 'coalesce': return toString(vals[0]) !== '' ? vals[0] : vals[1];
      case 'regex': return compileRegex(toString(vals[1]), args[1].pos).test(toString(vals[0]));
    }
    throw new Error(name);
  }

  function evaluate(text, ctx) {
    var root = parse(text);
    var v = evalNode(root, ctx);
    if (v instanceof NodeSet) throw nodesetError(root);
    return v;
  }

  global.IFExpr = {
    parse: parse, evaluate: evaluate, AnswersContext: AnswersContext, ExprError: ExprError, DateValue: DateValue,
    NodeSet: NodeSet, toBool: toBool, toString: toString, toNumber: toNumber, coerce: coerce
  };
})(window);
