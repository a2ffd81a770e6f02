/* Drafts saved as they are typed: one save at a time, the last change always sent, a failed save retried.
   Used by the visit form (answers as JSON) and the record page (its fields as a form).

   IFAutosave(form, {json: function () {...} | undefined, onResult: function (body) {...}})
   form's data-autosave is the URL (empty: nothing is saved); [data-autosave-status] says what happened.
   A 422 answer is a refusal (nothing saved; body.errors says why): it is not retried until the next change.
   Offline (navigator.onLine false, or the request cannot reach the server) the draft goes into the offline
   queue (offline.js) when the form names its visit (data-visit), and is sent when the connection returns. */
(function () {
  'use strict';
  window.IFAutosave = function (form, opts) {
    opts = opts || {};
    var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
    var status = form.querySelector('[data-autosave-status]');
    var lang = document.documentElement.lang;
    function say(vi, en) { if (status) status.textContent = lang === 'en' ? en : vi; }
    var timer = null, saving = false, again = false;

    // Without a connection the draft is kept on the device (the offline queue) and sent when it returns.
    function keep(body, contentType, answers) {
      var url = form.getAttribute('data-autosave');
      return window.IFOffline.enqueueDraft({
        visit: form.getAttribute('data-visit'), url: url, contentType: contentType, body: body, answers: answers,
        label: form.getAttribute('data-visit-label') || ''
      }).then(function () {
        say('Đã lưu trên máy (chưa có mạng) — sẽ gửi khi có mạng', 'Kept on this device (offline) — sent when the connection returns');
        form.setAttribute('data-kept', String(Date.now()));
      });
    }
    var canKeep = function () { return !!(window.IFOffline && form.getAttribute('data-visit')); };

    function save() {
      var url = form.getAttribute('data-autosave');
      if (!url) return;
      if (saving) { again = true; return; }
      saving = true;
      var headers = { 'X-CSRFToken': csrf, 'Accept': 'application/json' }, body, contentType, answers = null;
      if (opts.json) {
        contentType = headers['Content-Type'] = 'application/json';
        var data = opts.json();
        answers = data.answers || null;
        body = JSON.stringify(data);
      } else {
        contentType = 'application/x-www-form-urlencoded;charset=UTF-8';
        body = new URLSearchParams(new FormData(form)).toString();
        headers['Content-Type'] = contentType;
      }
      if (!navigator.onLine && canKeep()) {
        keep(body, contentType, answers).finally(function () { saving = false; if (again) { again = false; schedule(); } });
        return;
      }
      say('Đang lưu…', 'Saving…');
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
      }).catch(function (err) {
        if (err instanceof TypeError && canKeep()) return keep(body, contentType, answers);  // no connection
        say('Chưa lưu được (mất kết nối?) — sẽ thử lại', 'Not saved (offline?) — will retry');
        setTimeout(schedule, 5000);
        return undefined;
      }).finally(function () { saving = false; if (again) { again = false; schedule(); } });
    }
    function schedule() { clearTimeout(timer); timer = setTimeout(save, 800); }
    return { schedule: schedule, save: save, say: say, cancel: function () { clearTimeout(timer); } };
  };
})();
