/* The record page: people added and removed in place, the whole record saved as it is typed (IFAutosave),
   and what the server refuses shown beside its field. Without script the same form posts as it is. */
(function () {
  'use strict';
  var form = document.getElementById('record-form');
  if (!form || !window.IFAutosave) return;
  var list = form.querySelector('[data-people]');
  var tpl = form.querySelector('template[data-person-template]');

  function renumber() {
    list.querySelectorAll(':scope > li.person').forEach(function (li, i) { li.querySelector('.n').textContent = i + 1; });
  }
  function showErrors(errors) {
    form.querySelectorAll('.error.live').forEach(function (p) {
      var field = p.closest('.field');
      p.remove();
      if (field) { field.classList.remove('has-error'); }
    });
    form.querySelectorAll('[aria-invalid="true"]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
    errors.forEach(function (e) {
      var el = e.field && document.getElementById('f-' + e.field);
      if (!el) { el = form.querySelector('[name="' + e.field + '"]'); }
      var field = el ? el.closest('.field') : null;
      if (!field) return;
      var p = document.createElement('p');
      p.className = 'error live'; p.setAttribute('role', 'alert'); p.textContent = e.message;
      field.appendChild(p);
      field.classList.add('has-error');
      el.setAttribute('aria-invalid', 'true');
    });
  }
  var saver = window.IFAutosave(form, { onResult: function (body) { showErrors(body.errors || []); } });

  form.addEventListener('input', function () { saver.schedule(); });
  form.addEventListener('change', function () { saver.schedule(); });
  form.addEventListener('click', function (e) {
    if (e.target.closest('[data-add-person]')) {
      e.preventDefault();
      var index = 0;
      while (list.querySelector('[data-row="' + index + '"]')) index++;
      list.insertAdjacentHTML('beforeend', tpl.innerHTML.split('__i__').join(String(index)));
      renumber();
      list.lastElementChild.querySelector('select').focus();
      return;
    }
    var remove = e.target.closest('[data-remove-person]');
    if (remove) {
      e.preventDefault();
      remove.closest('li.person').remove();
      renumber();
      saver.schedule();
    }
  });
  form.addEventListener('submit', function () { saver.cancel(); });
  // Offline: the save button keeps the draft on the device; reopened offline, the page shows the kept draft
  // (its fields that the page has: a person added offline shows once the draft is sent).
  form.addEventListener('submit', function (e) {
    if (navigator.onLine || !window.IFOffline) return;
    e.preventDefault();
    saver.save();
  });
  function restore() {
    if (!window.IFOffline) return Promise.resolve();
    var url = form.getAttribute('data-autosave');
    return window.IFOffline.pending(form.getAttribute('data-visit')).then(function (entries) {
      var draft = entries.filter(function (e) { return e.kind === 'draft' && e.url === url; })[0];
      if (!draft) return;
      var params = new URLSearchParams(draft.body);
      form.querySelectorAll('[name]').forEach(function (el) {
        var name = el.getAttribute('name');
        if (name === 'csrf_token' || el.type === 'submit') return;
        if (el.type === 'checkbox' || el.type === 'radio') { el.checked = params.getAll(name).indexOf(el.value) >= 0; return; }
        if (params.has(name)) el.value = params.get(name);
      });
      saver.say('Đang hiện bản lưu trên máy, chưa gửi', 'Showing what is kept on this device, not sent yet');
    }).catch(function () { /* no IndexedDB */ });
  }
  restore().then(function () { form.setAttribute('data-ready', '1'); });
})();
