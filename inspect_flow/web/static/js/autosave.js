/* Drafts saved as they are typed: one save at a time, the last change always sent, a failed save retried.
   Used by the visit form (answers as JSON) and the record page (its fields as a form).

   IFAutosave(form, {json: function () {...} | undefined, onResult: function (body) {...}})
   form's data-autosave is the URL (empty: nothing is saved); [data-autosave-status] says what happened.
   A 422 answer is a refusal (nothing saved; body.errors says why): it is not retried until the next change. */
(function () {
  'use strict';
  window.IFAutosave = function (form, opts) {
    opts = opts || {};
    var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
    var status = form.querySelector('[data-autosave-status]');
    var lang = document.documentElement.lang;
    function say(vi, en) { if (status) status.textContent = lang === 'en' ? en : vi; }
    var timer = null, saving = false, again = false;

    function save() {
      var url = form.getAttribute('data-autosave');
      if (!url) return;
      if (saving) { again = true; return; }
      saving = true;
      say('Đang lưu…', 'Saving…');
      var headers = { 'X-CSRFToken': csrf, 'Accept': 'application/json' }, body;
      if (opts.json) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(opts.json());
      } else {
        body = new URLSearchParams(new FormData(form));
      }
      fetch(url, { method: 'POST', credentials: 'same-origin', headers: headers, body: body }).then(function (r) {
        if (r.status === 422) return r.json().then(function (b) { b.refused = true; return b; });
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (b) {
        if (opts.onResult) opts.onResult(b);
        if (b.refused) {
          say('Chưa lưu: sửa chỗ báo đỏ', 'Not saved: correct what is marked in red');
          form.setAttribute('data-refused', String(Date.now()));
          return;
        }
        var d = new Date();
        var hhmm = ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2);
        say('Đã lưu nháp lúc ' + hhmm, 'Draft saved at ' + hhmm);
        form.setAttribute('data-saved', String(Date.now()));
      }).catch(function () {
        say('Chưa lưu được (mất kết nối?) — sẽ thử lại', 'Not saved (offline?) — will retry');
        setTimeout(schedule, 5000);
      }).finally(function () { saving = false; if (again) { again = false; schedule(); } });
    }
    function schedule() { clearTimeout(timer); timer = setTimeout(save, 800); }
    return { schedule: schedule, save: save, say: say, cancel: function () { clearTimeout(timer); } };
  };
})();
