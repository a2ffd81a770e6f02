/* The visit form: relevance live in the browser (the server checks the same rules on submit),
   drafts saved automatically, photos uploaded as they are chosen, roster rows added and removed; without a
   connection, drafts and the submission kept on the device (offline.js) and shown when the form is reopened. */
(function () {
  'use strict';
  var form = document.getElementById('visit-form');
  if (!form || !window.IFExpr || !window.IFAutosave) return;
  var E = window.IFExpr;
  var types = JSON.parse(form.getAttribute('data-types') || '{}');
  var today = form.getAttribute('data-today') || undefined;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  var saver = window.IFAutosave(form, {
    json: function () { return { answers: collect() }; },
    onResult: function (body) { showProblems(body.errors || []); }
  });
  var say = saver.say;

  function controlValue(block, name) {
    var type = block.getAttribute('data-type');
    var inputs = block.querySelectorAll('[name="' + name + '"]');
    if (type === 'select_multiple') {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    if (type === 'yes_no' || type === 'select_one') {
      var c = Array.prototype.find.call(inputs, function (i) { return i.checked; });
      return c ? c.value : null;
    }
    if (!inputs.length) return undefined;
    var v = inputs[0].value;
    return v === '' ? null : v;
  }

  function collect() {
    var answers = {};
    form.querySelectorAll('fieldset.section > .item[data-item]').forEach(function (block) {
      var id = block.getAttribute('data-item'), type = block.getAttribute('data-type');
      if (type === 'note' || type === 'calculate' || type === 'evidence') return;
      if (type === 'repeat') {
        var rows = [];
        block.querySelectorAll('ol.rows > li.row').forEach(function (li) {
          var row = {};
          li.querySelectorAll('.item[data-item]').forEach(function (cb) {
            var ct = cb.getAttribute('data-type');
            if (ct === 'note' || ct === 'calculate' || ct === 'evidence') return;
            var input = cb.querySelector('[name]');
            if (input) row[cb.getAttribute('data-item')] = controlValue(cb, input.getAttribute('name'));
          });
          rows.push(row);
        });
        answers[id] = rows;
        return;
      }
      var v = controlValue(block, 'a.' + id);
      if (v !== undefined) answers[id] = v;
    });
    return answers;
  }

  function holds(expr, answers, row) {
    try { return E.toBool(E.evaluate(expr, new E.AnswersContext(answers, { types: types, row: row, today: today }))); }
    catch (e) { return false; }
  }

  function show(el, on) {
    el.hidden = !on;
    el.classList.toggle('irrelevant', !on);
  }

  // The households quota line above the form counts the roster's rows that have a household code.
  var quotaCount = document.querySelector('[data-quota-count]');
  function countHouseholds() {
    var roster = form.querySelector('[data-roster]');
    if (!quotaCount || !roster) return;
    var n = 0;
    roster.querySelectorAll('ol.rows > li.row').forEach(function (li) {
      var code = li.querySelector('[data-item="household_code"] input');
      if (code && code.value.trim()) n++;
    });
    quotaCount.textContent = String(n);
  }
  function refresh() { refreshItems(); countHouseholds(); }

  // Relevance and calculations in document order; an item that is not relevant counts as empty for the rest.
  function refreshItems() {
    var answers = collect(), values = {};
    Object.keys(answers).forEach(function (k) { values[k] = answers[k]; });
    form.querySelectorAll('fieldset.section').forEach(function (section) {
      var sectionOn = !section.hasAttribute('data-relevant') || holds(section.getAttribute('data-relevant'), values);
      show(section, sectionOn);
      section.querySelectorAll(':scope > .item[data-item]').forEach(function (block) {
        var id = block.getAttribute('data-item');
        var on = sectionOn && (!block.hasAttribute('data-relevant') || holds(block.getAttribute('data-relevant'), values));
        show(block, on);
        if (!on) { values[id] = Array.isArray(values[id]) && block.getAttribute('data-type') === 'repeat' ? [] : null; }
        if (block.getAttribute('data-type') === 'repeat' && on) {
          block.querySelectorAll('ol.rows > li.row').forEach(function (li, index) {
            li.querySelector('.n').textContent = index + 1;
            li.querySelectorAll('.item[data-item]').forEach(function (cb) {
              var rel = cb.getAttribute('data-relevant');
              var calc = cb.getAttribute('data-calculation');
              var ok = !rel || holds(rel, values, [id, index]);
              show(cb, ok);
              if (!ok && values[id] && values[id][index]) values[id][index][cb.getAttribute('data-item')] = null;
              if (calc && values[id] && values[id][index]) {
                try { values[id][index][cb.getAttribute('data-item')] = E.evaluate(calc, new E.AnswersContext(values, { types: types, row: [id, index], today: today })); } catch (e) { /* shown empty */ }
              }
            });
          });
        }
        var calc = block.getAttribute('data-calculation');
        if (calc && on) {
          var out = block.querySelector('[data-calc-output]');
          try {
            var v = E.evaluate(calc, new E.AnswersContext(values, { types: types, today: today }));
            values[id] = v;
            if (out) out.textContent = (typeof v === 'number' && isNaN(v)) ? '' : E.toString(v);
          } catch (e) { if (out) out.textContent = ''; }
        }
      });
    });
  }

  // What the server says a submit would refuse, beside each item as it is typed: a message goes away
  // once its item is right, and a wrong value is said at once. An unanswered required item is not a
  // mistake while the form is being filled in: that is said on submit only.
  function showProblems(errors) {
    var byKey = {};
    errors.forEach(function (e) { if (e.field) byKey[String(e.field).split('.').join('-')] = e; });
    form.querySelectorAll('.item[id^="i-a-"] > .error').forEach(function (p) {
      var block = p.parentNode;
      if (block.getAttribute('data-type') === 'evidence' || byKey[block.id.slice(4)]) return;
      p.remove();
      block.classList.remove('has-error');
    });
    Object.keys(byKey).forEach(function (key) {
      var e = byKey[key];
      var block = document.getElementById('i-a-' + key);
      if (e.code === 'required' || !block || block.hidden) return;
      var p = block.querySelector(':scope > .error');
      if (!p) {
        p = document.createElement('p');
        p.className = 'error live'; p.setAttribute('role', 'alert');
        block.appendChild(p);
      }
      p.textContent = e.message;
      block.classList.add('has-error');
    });
  }
  function schedule() { saver.schedule(); }

  form.addEventListener('input', function (e) { if (e.target.type !== 'file') { refresh(); schedule(); } });
  form.addEventListener('change', function (e) {
    if (e.target.type === 'file') { upload(e.target); return; }
    refresh(); schedule();
  });

  function upload(input) {
    var item = input.getAttribute('data-upload');
    if (!input.files.length) return;
    var block = input.closest('.item');
    var err = block.querySelector('.error');
    if (err) err.remove();
    var data = new FormData();
    data.append('f.' + item, input.files[0]);
    say('Đang tải ảnh lên…', 'Uploading…');
    fetch(form.getAttribute('data-upload'), {
      method: 'POST', credentials: 'same-origin', headers: { 'X-CSRFToken': csrf, 'Accept': 'application/json' }, body: data
    }).then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); }).then(function (res) {
      if (!res.ok) {
        var p = document.createElement('p'); p.className = 'error'; p.setAttribute('role', 'alert');
        p.textContent = res.d.message || 'Error'; block.appendChild(p); block.classList.add('has-error');
        say('Tệp không được nhận', 'File refused');
        input.value = '';
        return;
      }
      block.classList.remove('has-error');
      var url = res.d.urls[item];
      var holder = block.querySelector('.evidence-current') || document.createElement('p');
      holder.className = 'evidence-current';
      holder.innerHTML = '';
      var a = document.createElement('a'); a.href = url; a.target = '_blank'; a.rel = 'noopener';
      var img = document.createElement('img'); img.src = url; img.className = 'thumb'; img.alt = '';
      a.appendChild(img); holder.appendChild(a);
      if (!holder.parentNode) input.parentNode.insertBefore(holder, input);
      input.value = '';
      say('Đã tải ảnh lên', 'Photo uploaded');
    }).catch(function () { say('Chưa tải lên được', 'Upload failed'); });
  }

  function addRow(id) {
    var list = form.querySelector('ol[data-rows="' + id + '"]');
    var tpl = form.querySelector('template[data-row-template="' + id + '"]');
    if (!list || !tpl) return null;
    var index = list.children.length;
    while (list.querySelector('[data-row="' + index + '"]')) index++;
    list.insertAdjacentHTML('beforeend', tpl.innerHTML.split('__i__').join(String(index)));
    return list;
  }

  form.addEventListener('click', function (e) {
    var add = e.target.closest('[data-add-row]');
    if (add) {
      e.preventDefault();
      var list = addRow(add.getAttribute('data-add-row'));
      refresh(); schedule();
      var first = list && list.lastElementChild.querySelector('input, select');
      if (first) first.focus();
      return;
    }
    var remove = e.target.closest('[data-remove-row]');
    if (remove) {
      e.preventDefault();
      remove.closest('li.row').remove();
      refresh(); schedule();
    }
  });
  form.addEventListener('submit', function () { saver.cancel(); });

  // --- Offline: a submission made without a connection goes into the offline queue (offline.js) and is
  // sent through the JSON API when the connection returns; the form opened offline shows what is queued.
  var visitId = form.getAttribute('data-visit');
  var offline = window.IFOffline;
  var label = form.getAttribute('data-visit-label') || '';
  form.addEventListener('submit', function (e) {
    if (navigator.onLine || !offline || !visitId || !form.getAttribute('data-autosave')) return;
    e.preventDefault();
    saver.cancel();
    if (e.submitter && e.submitter.hasAttribute('data-submit')) {
      offline.enqueueSubmission({ visit: visitId, answers: typed(collect()), label: label }).then(function () {
        say('Đã nộp khi không có mạng — đang chờ gửi', 'Submitted offline — waiting to be sent');
        form.setAttribute('data-queued', 'submit');
      });
    } else {
      saver.save();
    }
  });

  // The answers as the form's own submit reads them (visits.answers_from_form): a number typed in a number
  // item is a number; what cannot be read stays as typed (the server says what is wrong).
  function coerce(type, v) {
    if (typeof v !== 'string') return v;
    var text = v.trim();
    if (text === '') return null;
    if (type === 'integer' && /^-?\d+$/.test(text)) return parseInt(text, 10);
    if ((type === 'decimal' || type === 'percentage') && /^-?(\d+(\.\d*)?|\.\d+)$/.test(text)) return parseFloat(text);
    return v;
  }
  function typed(answers) {
    var out = {};
    Object.keys(answers).forEach(function (id) {
      var v = answers[id];
      if (types[id] === 'repeat' && Array.isArray(v)) {
        out[id] = v.map(function (row) {
          var r = {};
          Object.keys(row).forEach(function (k) { r[k] = coerce(types[k], row[k]); });
          return r;
        });
      } else {
        out[id] = coerce(types[id], v);
      }
    });
    return out;
  }

  function setControl(scope, name, value) {
    scope.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (i) {
      if (i.type === 'file') return;
      if (i.type === 'radio') { i.checked = value !== null && value !== undefined && String(i.value) === String(value); return; }
      if (i.type === 'checkbox') {
        i.checked = Array.isArray(value) ? value.map(String).indexOf(i.value) >= 0 : value === true || String(value) === i.value;
        return;
      }
      i.value = value === null || value === undefined ? '' : String(value);
    });
  }
  function fill(answers) {
    Object.keys(answers || {}).forEach(function (id) {
      var block = form.querySelector('fieldset.section > .item[data-item="' + CSS.escape(id) + '"]');
      if (!block) return;
      if (block.getAttribute('data-type') === 'repeat') {
        var rows = Array.isArray(answers[id]) ? answers[id] : [];
        var list = form.querySelector('ol[data-rows="' + id + '"]');
        if (!list) return;
        while (list.children.length < rows.length && addRow(id)) { /* rows typed offline */ }
        while (list.children.length > rows.length) list.lastElementChild.remove();
        Array.prototype.forEach.call(list.children, function (li, i) {
          li.querySelectorAll('.item[data-item]').forEach(function (cb) {
            var input = cb.querySelector('[name]'), cid = cb.getAttribute('data-item');
            if (input && rows[i] && cid in rows[i]) setControl(cb, input.getAttribute('name'), rows[i][cid]);
          });
        });
        return;
      }
      setControl(block, 'a.' + id, answers[id]);
    });
  }
  // What this device still holds for the visit (the newest of its draft and its submission) is what the form shows.
  function restore() {
    if (!offline || !visitId) return Promise.resolve();
    return offline.pending(visitId).then(function (entries) {
      var url = form.getAttribute('data-autosave');
      var mine = entries.filter(function (e) { return e.answers && (e.kind === 'submit' || e.url === url); });
      mine.sort(function (a, b) { return b.created - a.created; });
      if (mine.length) {
        fill(mine[0].answers);
        say('Đang hiện bản lưu trên máy, chưa gửi', 'Showing what is kept on this device, not sent yet');
      }
      if (entries.some(function (e) { return e.kind === 'submit' && e.state === 'pending'; })) {
        form.setAttribute('data-queued', 'submit');
        say('Đã nộp khi không có mạng — đang chờ gửi', 'Submitted offline — waiting to be sent');
      }
    }).catch(function () { /* no IndexedDB: the form as the server sent it */ });
  }
  refresh();

  // A refused submit: go to the first item in error (on a phone it is far below the summary), and let
  // each link of the error summary do the same for its item.
  function focusItem(id) {
    var block = document.getElementById(id);
    if (!block || block.closest('[hidden]')) return false;
    var control = block.querySelector('input:not([type=hidden]):not([disabled]), select, textarea');
    block.classList.add('focus-target');
    // A tall item (the household roster) is shown from its label; a short one in the middle of the screen.
    var tall = block.getBoundingClientRect().height > window.innerHeight * 0.6;
    block.scrollIntoView({ block: tall ? 'start' : 'center' });
    if (control) { control.focus({ preventScroll: true }); }
    else { block.setAttribute('tabindex', '-1'); block.focus({ preventScroll: true }); }
    return true;
  }
  var summary = document.querySelector('[data-error-summary]');
  if (summary) {
    summary.addEventListener('click', function (e) {
      var link = e.target.closest('[data-focus-item]');
      if (link && focusItem(link.getAttribute('data-focus-item'))) {
        e.preventDefault();
        if (history.replaceState) history.replaceState(null, '', '#' + link.getAttribute('data-focus-item'));
      }
    });
    var first = summary.querySelector('[data-focus-item]');
    if (first) focusItem(first.getAttribute('data-focus-item'));
  }
  form.addEventListener('input', function (e) {
    var block = e.target.closest('.focus-target');
    if (block) block.classList.remove('focus-target');
  });
  restore().then(function () { refresh(); form.setAttribute('data-ready', '1'); });
})();
