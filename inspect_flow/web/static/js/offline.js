/* Pages offline: registers the service worker (sw.js), asks it to keep the member's visit forms (on /me),
   drops every kept page on logout and on the login page, and shows and sends the offline queue
   (offline-queue.js): "Đang chờ gửi: N", then what was sent or refused (a refusal stays, with its errors,
   until it is dismissed). The queue is sent on page load, when the connection returns, and by Background Sync.

   window.IFOffline: {user, enqueueDraft(d), enqueueSubmission(d), refresh(), flush(), pending(visit)} */
(function () {
  'use strict';
  var me = document.currentScript;
  var user = (document.querySelector('meta[name="if-user"]') || {}).content || '';
  var lang = document.documentElement.lang;
  function t(vi, en) { return lang === 'en' ? en : vi; }
  var bar = document.querySelector('[data-offline-bar]');
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var Q = window.IFQueue;
  var hasSW = 'serviceWorker' in navigator;

  function clearKept() {
    var jobs = [];
    if (window.caches) {
      jobs.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf('if-') === 0; }).map(function (n) { return caches.delete(n); }));
      }));
    }
    return Promise.all(jobs);
  }

  function ask(msg) {
    if (!hasSW) return Promise.resolve(null);
    return navigator.serviceWorker.ready.then(function (reg) {
      return new Promise(function (resolve) {
        var ch = new MessageChannel();
        ch.port1.onmessage = function (e) { resolve(e.data); };
        (reg.active || navigator.serviceWorker.controller).postMessage(msg, [ch.port2]);
        setTimeout(function () { resolve(null); }, 30000);
      });
    });
  }

  if (hasSW && me && me.getAttribute('data-sw')) {
    navigator.serviceWorker.register(me.getAttribute('data-sw'), { scope: '/' }).catch(function () { /* no worker: online only */ });
  }
  if (!user) {
    // The login page (or a logged-out page): nobody's pages stay on this device.
    clearKept();
    if (hasSW) ask({ type: 'clear' });
  } else {
    if (hasSW) ask({ type: 'user', user: user });
    if (me && me.getAttribute('data-precache') && navigator.onLine) {
      ask({ type: 'precache', user: user }).then(function (r) {
        if (r && r.ok) document.documentElement.setAttribute('data-offline-kept', String(r.cached));
      });
    }
  }
  // Logout: the kept pages go before the session does.
  document.querySelectorAll('form[action$="/logout"]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      if (form.getAttribute('data-cleared')) return;
      e.preventDefault();
      var done = function () { form.setAttribute('data-cleared', '1'); form.submit(); };
      Promise.all([clearKept(), ask({ type: 'clear' })]).then(done, done);
      setTimeout(done, 3000);
    });
  });

  if (!Q || !user) { window.IFOffline = null; return; }

  var messages = bar && bar.querySelector('[data-offline-messages]');
  function note(kind, text, entry) {
    if (!messages) return;
    var li = document.createElement('li');
    li.className = 'offline-msg ' + kind;
    li.setAttribute('data-offline-msg', kind);
    li.textContent = text;
    if (entry && entry.errors && entry.errors.length) {
      var ul = document.createElement('ul');
      entry.errors.forEach(function (e) {
        var item = document.createElement('li');
        item.textContent = (e.field ? e.field + ': ' : '') + e.message;
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    if (entry && entry.state === 'refused') {
      var b = document.createElement('button');
      b.type = 'button'; b.className = 'link'; b.textContent = t('Bỏ yêu cầu này', 'Dismiss');
      b.addEventListener('click', function () {
        Q.remove(entry.id).then(function () { li.remove(); refresh(); });
      });
      li.appendChild(document.createTextNode(' '));
      li.appendChild(b);
      li.setAttribute('data-entry', entry.id);
    }
    messages.appendChild(li);
    bar.hidden = false;
  }

  function describe(e) {
    var what = e.kind === 'submit' ? t('kết quả nộp', 'submission') : t('bản nháp', 'draft');
    return what + (e.label ? ' — ' + e.label : ' — ' + t('buổi làm việc ', 'visit ') + e.visit);
  }

  var said = {};
  function refresh() {
    return Q.all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.user === String(user); });
      var pending = mine.filter(function (e) { return e.state === 'pending'; });
      if (!bar) return mine;
      var box = bar.querySelector('[data-offline-pending]');
      bar.querySelector('[data-offline-count]').textContent = String(pending.length);
      bar.querySelector('[data-offline-detail]').textContent = pending.map(describe).join('; ');
      box.hidden = pending.length === 0;
      document.documentElement.setAttribute('data-queue-pending', String(pending.length));
      // what was sent (by this page or by the service worker) is said once, then forgotten
      mine.filter(function (e) { return e.state === 'sent' && !said[e.id + ':' + e.sent]; }).forEach(function (e) {
        said[e.id + ':' + e.sent] = true;
        note('sent', e.kind === 'submit'
          ? t('Đã gửi kết quả nộp — ' + (e.label || 'buổi làm việc ' + e.visit) + ' — chờ Trưởng đoàn duyệt.',
              'Submission sent — ' + (e.label || 'visit ' + e.visit) + ' — waiting for the team leader’s review.')
          : t('Đã gửi bản nháp lưu trên máy — ' + (e.label || 'buổi làm việc ' + e.visit) + '.',
              'Draft kept on this device sent — ' + (e.label || 'visit ' + e.visit) + '.'));
        Q.get(e.id).then(function (now) { if (now && now.state === 'sent') Q.remove(e.id); });
      });
      // refusals stay on screen until dismissed
      mine.filter(function (e) { return e.state === 'refused'; }).forEach(function (e) {
        if (messages && !messages.querySelector('[data-entry="' + CSS.escape(e.id) + '"]')) {
          note('refused', t('Không gửi được ', 'Not accepted: ') + describe(e) + (e.message ? ': ' + e.message : ''), e);
        }
      });
      var state = bar.querySelector('[data-offline-state]');
      state.textContent = navigator.onLine ? '' : t('Đang không có mạng: những gì bạn nhập được lưu trên máy và sẽ gửi khi có mạng.',
                                                    'Offline: what you enter is kept on this device and sent when the connection returns.');
      bar.hidden = !(pending.length || (messages && messages.children.length) || !navigator.onLine);
      bar.classList.toggle('all-sent', navigator.onLine && !pending.length && !(messages && messages.querySelector('.refused, .login')));
      return mine;
    });
  }

  function freshToken() {
    var url = me.getAttribute('data-csrf-url');
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' }, cache: 'no-store', redirect: 'manual' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) {
        if (!b || String(b.user) !== String(user)) return null;
        if (csrfMeta) csrfMeta.setAttribute('content', b.token);
        return b.token;
      }).catch(function () { return null; });
  }

  var flushing = null;
  function flush() {
    if (flushing) return flushing;
    if (!navigator.onLine) return refresh();
    flushing = Q.flush({
      user: user, token: csrfMeta ? csrfMeta.content : '', freshToken: freshToken,
      onResult: function (entry, res) {
        if (res.outcome === 'login') {
          note('login', t('Phiên đăng nhập đã hết: hãy đăng nhập lại để gửi những gì đang chờ.',
                          'Your session has ended: log in again to send what is pending.'));
        }
      }
    }).then(function (r) { document.documentElement.setAttribute('data-offline-flushed', String(Date.now())); return r; },
            function () { return 'error'; })
      .then(function (r) { flushing = null; return refresh().then(function () { return r; }); });
    return flushing;
  }

  function requestSync() {
    if (!hasSW) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register('inspect-flow-queue');
      return undefined;
    }).catch(function () { /* Background Sync unavailable: the online event and the next page load send it */ });
  }

  function enqueueDraft(d) {
    d.user = user; d.csrf = csrfMeta ? csrfMeta.content : '';
    return Q.saveDraft(d).then(function () { requestSync(); return refresh(); });
  }
  function enqueueSubmission(d) {
    d.user = user; d.csrf = csrfMeta ? csrfMeta.content : '';
    return Q.saveSubmission(d).then(function (entry) { requestSync(); return refresh().then(function () { return entry; }); });
  }
  function pending(visit) {
    return Q.all().then(function (entries) {
      return entries.filter(function (e) { return e.user === String(user) && e.visit === String(visit); });
    });
  }

  window.addEventListener('online', function () { flush(); });
  // The phone says it is online but the server could not be reached: try again now and then.
  setInterval(function () { if (navigator.onLine) flush(); }, 60000);
  window.addEventListener('offline', function () { refresh(); });
  if (hasSW) {
    navigator.serviceWorker.addEventListener('message', function (e) {
      if (e.data && e.data.type === 'queue-changed') refresh();
    });
  }
  window.IFOffline = { user: user, enqueueDraft: enqueueDraft, enqueueSubmission: enqueueSubmission,
                       refresh: refresh, flush: flush, pending: pending };
  refresh().then(function () { return flush(); });
})();
