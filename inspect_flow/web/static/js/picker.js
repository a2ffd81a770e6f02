/* Pickers (templates/web/_picker.html): type part of a name, tap a match; the form's own field gets the code or
   id. Without this script the server searches the typed text when the form is sent (web/pick.py). */
(function () {
  'use strict';

  function setup(box) {
    var input = box.querySelector('.picker-input');
    var list = box.querySelector('.picker-list');
    var status = box.querySelector('.picker-status');
    var multiple = box.dataset.multiple === '1';
    var name = box.dataset.name;
    var by = box.dataset.by || 'id';
    var seq = 0;
    var timer = null;
    var items = [];
    var active = -1;

    function hidden() {
      var h = box.querySelector('input[data-picker-value]');
      if (!h && !multiple) {
        h = document.createElement('input');
        h.type = 'hidden';
        h.name = name;
        h.setAttribute('data-picker-value', '');
        box.insertBefore(h, input);
      }
      return h;
    }

    function close() {
      list.hidden = true;
      list.textContent = '';
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      items = [];
      active = -1;
    }

    function highlight(i) {
      var nodes = list.children;
      for (var k = 0; k < nodes.length; k++) {
        nodes[k].setAttribute('aria-selected', k === i ? 'true' : 'false');
      }
      active = i;
      if (i >= 0 && nodes[i]) {
        input.setAttribute('aria-activedescendant', nodes[i].id);
        nodes[i].scrollIntoView({block: 'nearest'});
      }
    }

    function dropChoices() {
      var choices = box.querySelector('[data-picker-choices]');
      if (choices) { choices.remove(); }
      var searched = box.querySelector('input[name="' + name + '_searched"]');
      if (searched) { searched.remove(); }
      var err = box.querySelector('.error');
      if (err) { err.remove(); }
      box.classList.remove('has-error');
      input.removeAttribute('aria-invalid');
    }

    function choose(item) {
      var value = String(by === 'code' ? item.code : item.id);
      dropChoices();
      if (multiple) {
        var chosen = box.querySelector('[data-picker-chosen]');
        var existing = chosen.querySelector('input[value="' + value.replace(/"/g, '') + '"]');
        if (existing) {
          existing.checked = true;
        } else {
          var li = document.createElement('li');
          var label = document.createElement('label');
          label.className = 'check';
          var box_ = document.createElement('input');
          box_.type = 'checkbox';
          box_.name = name;
          box_.value = value;
          box_.checked = true;
          var span = document.createElement('span');
          span.textContent = item.label;
          label.appendChild(box_);
          label.appendChild(document.createTextNode(' '));
          label.appendChild(span);
          li.appendChild(label);
          chosen.appendChild(li);
        }
        input.value = '';
        status.textContent = item.label + ' ✓';
      } else {
        hidden().value = value;
        input.value = item.label;
        status.textContent = '';
      }
      close();
      input.focus();
    }

    function render(results) {
      list.textContent = '';
      items = results;
      active = -1;
      if (!results.length) {
        close();
        status.textContent = box.dataset.none;
        return;
      }
      status.textContent = '';
      results.forEach(function (item, i) {
        var li = document.createElement('li');
        li.id = input.id + '-opt-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        var cut = item.label.indexOf(' — ');  // "Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre": the name stands out
        var strong = document.createElement('strong');
        strong.textContent = cut > 0 ? item.label.slice(0, cut) : item.label;
        li.appendChild(strong);
        if (cut > 0) {
          var where = document.createElement('span');
          where.className = 'picker-where';
          where.textContent = ' — ' + item.label.slice(cut + 3);
          li.appendChild(where);
        }
        li.addEventListener('mousedown', function (ev) { ev.preventDefault(); });  // keep the focus in the box
        li.addEventListener('click', function () { choose(item); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      if (list.getBoundingClientRect().bottom > window.innerHeight) {  // a phone's keyboard leaves little room
        list.scrollIntoView({block: 'nearest'});
      }
    }

    function params(q) {
      var p = new URLSearchParams({q: q});
      var on = box.dataset.on || '';
      if (box.dataset.onFrom) {
        var other = document.getElementById(box.dataset.onFrom);
        if (other && other.value) { on = other.value; }
      }
      if (on) { p.set('on', on); }
      if (box.dataset.level) { p.set('level', box.dataset.level); }
      if (box.dataset.province) { p.set('province', box.dataset.province); }
      return p.toString();
    }

    function search() {
      var q = input.value.trim();
      var mine = ++seq;
      if (q.length < 2) { close(); status.textContent = ''; return; }
      fetch(box.dataset.url + '?' + params(q), {headers: {Accept: 'application/json'}, credentials: 'same-origin'})
        .then(function (r) {
          return r.json().then(function (body) { return {ok: r.ok, body: body}; });
        })
        .then(function (res) {
          if (mine !== seq) { return; }  // an older answer arriving late
          if (!res.ok) { close(); status.textContent = res.body.message || box.dataset.error; return; }
          render(res.body.results || []);
        })
        .catch(function () {
          if (mine === seq) { close(); status.textContent = box.dataset.error; }
        });
    }

    input.addEventListener('input', function () {
      if (!multiple) { hidden().value = ''; }  // the text no longer names the chosen value
      clearTimeout(timer);
      timer = setTimeout(search, 180);
    });
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        if (list.hidden) { search(); return; }
        ev.preventDefault();
        var n = items.length;
        highlight(ev.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n);
      } else if (ev.key === 'Enter' && !list.hidden) {
        ev.preventDefault();  // choose, do not send the form
        choose(items[active >= 0 ? active : 0]);
      } else if (ev.key === 'Escape' && !list.hidden) {
        ev.preventDefault();
        close();
      }
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });
    input.addEventListener('focus', function () {  // typing replaces a chosen value's label
      var h = box.querySelector('input[data-picker-value]');
      if (!multiple && h && h.value) { input.select(); }
    });
    // Text typed before this script ran (a slow connection): search for it now rather than wait for a keystroke.
    var chosen = box.querySelector('input[data-picker-value]');
    if (document.activeElement === input && input.value.trim().length >= 2 && !(chosen && chosen.value)) {
      search();
    }
  }

  document.querySelectorAll('[data-picker]').forEach(setup);
}());
