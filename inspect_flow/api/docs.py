"""The interactive documentation page: plain HTML and a small script that renders /api/v1/openapi.json.

Nothing is fetched from outside (the page passes the app's Content-Security-Policy: script from 'self').
It lists every operation with its parameters and schemas, and a "Try it" form sends the request with
the token typed in the page (kept in sessionStorage only).
"""

DOCS_HTML = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>inspect_flow API v1</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#0b3d6e;color:#fff;padding:12px 20px}header h1{margin:0;font-size:20px}
main{max-width:1100px;margin:0 auto;padding:16px}
.op{background:#fff;border:1px solid #d6dae0;border-radius:6px;margin:8px 0}
.op>summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:center}
.m{font-weight:700;min-width:64px;text-align:center;border-radius:4px;color:#fff;padding:2px 6px;font-size:13px}
.GET{background:#1f7a3a}.POST{background:#0b5cad}.PUT{background:#8a5a00}.PATCH{background:#6b3fa0}
.DELETE{background:#b3261e}
.body{padding:8px 14px 14px;border-top:1px solid #e3e6ea}
pre{background:#f0f2f5;padding:8px;overflow:auto;max-height:360px;font-size:13px}
input,textarea{font:13px monospace;width:100%;box-sizing:border-box}
h2{margin-top:26px;border-bottom:2px solid #0b3d6e}
label{display:block;margin-top:6px;font-size:13px;color:#444}
</style></head>
<body><header><h1>inspect_flow API v1</h1>
<div>OpenAPI: <a style="color:#fff" href="/api/v1/openapi.json">/api/v1/openapi.json</a></div></header>
<main><label>Bearer token <input id="token" placeholder="ifk_…" autocomplete="off"></label>
<div id="ops">Đang tải… / Loading…</div></main>
<script src="/api/v1/docs.js"></script></body></html>
"""

DOCS_JS = r"""
(function () {
  'use strict';
  var tokenBox = document.getElementById('token');
  tokenBox.value = sessionStorage.getItem('if_token') || '';
  tokenBox.addEventListener('change', function () { sessionStorage.setItem('if_token', tokenBox.value); });
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') { node.textContent = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); } });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function resolve(spec, schema) {
    if (schema && schema.$ref) { return spec.components.schemas[schema.$ref.split('/').pop()]; }
    return schema;
  }
  function render(spec) {
    var root = document.getElementById('ops');
    root.textContent = '';
    root.appendChild(el('p', {text: spec.info.description}));
    var byTag = {};
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        (byTag[op.tags[0]] = byTag[op.tags[0]] || []).push({path: path, method: method.toUpperCase(), op: op});
      });
    });
    Object.keys(byTag).forEach(function (tag) {
      root.appendChild(el('h2', {text: tag}));
      byTag[tag].forEach(function (entry) { root.appendChild(operation(spec, entry)); });
    });
  }
  function operation(spec, entry) {
    var op = entry.op;
    var inputs = {};
    var body = el('div', {class: 'body'});
    if (op.description) { body.appendChild(el('p', {text: op.description})); }
    (op.parameters || []).forEach(function (p) {
      var box = el('input', {placeholder: JSON.stringify(p.schema)});
      inputs[p.in + ':' + p.name] = box;
      body.appendChild(el('label', {text: p.in + ' ' + p.name + (p.required ? ' *' : '')}, [box]));
    });
    var bodyBox = null;
    if (op.requestBody) {
      var media = Object.keys(op.requestBody.content)[0];
      var schema = resolve(spec, op.requestBody.content[media].schema);
      body.appendChild(el('label', {text: 'Body (' + media + ') schema'}));
      body.appendChild(el('pre', {text: JSON.stringify(schema, null, 2)}));
      bodyBox = el('textarea', {rows: '6'});
      if (media === 'application/json') { body.appendChild(el('label', {text: 'Body'}, [bodyBox])); }
    }
    var codes = Object.keys(op.responses).join(', ');
    body.appendChild(el('p', {text: 'Responses: ' + codes}));
    var output = el('pre', {text: ''});
    var button = el('button', {type: 'button', text: 'Try it'});
    button.addEventListener('click', function () {
      var url = '/api/v1' + entry.path;
      var query = [];
      var headers = {'Accept': 'application/json'};
      (op.parameters || []).forEach(function (p) {
        var v = inputs[p.in + ':' + p.name].value;
        if (!v) { return; }
        if (p.in === 'path') { url = url.replace('{' + p.name + '}', encodeURIComponent(v)); }
        else if (p.in === 'query') { query.push(encodeURIComponent(p.name) + '=' + encodeURIComponent(v)); }
        else if (p.in === 'header') { headers[p.name] = v; }
      });
      if (query.length) { url += '?' + query.join('&'); }
      if (tokenBox.value) { headers.Authorization = 'Bearer ' + tokenBox.value; }
      var init = {method: entry.method, headers: headers};
      if (bodyBox && bodyBox.value) { init.body = bodyBox.value; headers['Content-Type'] = 'application/json'; }
      fetch(url, init).then(function (r) {
        return r.text().then(function (t) { output.textContent = r.status + ' ' + r.statusText + '\n' + t; });
      }, function (e) { output.textContent = String(e); });
    });
    body.appendChild(button);
    body.appendChild(output);
    return el('details', {class: 'op'}, [
      el('summary', {}, [el('span', {class: 'm ' + entry.method, text: entry.method}),
                         el('code', {text: entry.path}), el('span', {text: op.summary})]),
      body]);
  }
  fetch('/api/v1/openapi.json').then(function (r) { return r.json(); }).then(render, function (e) {
    document.getElementById('ops').textContent = String(e);
  });
})();
"""
