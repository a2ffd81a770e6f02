/* The offline queue: drafts and submissions of visit records made without a connection, kept in IndexedDB
   until they are sent. Used by the pages (offline.js) and by the service worker (sw.js, Background Sync).

   An entry: {id, user, visit, kind: 'draft' | 'submit', url, contentType, body, answers, key, csrf, label,
   state: 'pending' | 'refused' | 'sent', errors, message, created}.
   - A draft goes to the page's own autosave URL (its body as the page would have sent it); the latest draft
     of a page replaces the one before.
   - A submission goes to the JSON API, POST /api/v1/visits/<id>/submissions, with an Idempotency-Key made once
     for it: its body (the record as the server holds it, the answers typed over it) is made at the first
     attempt and kept, so that every retry sends the same bytes and the server applies it once.
   - Refused (4xx other than a lost login or CSRF token): kept, with the server's errors, until the user
     dismisses it. Never dropped silently.
   - Sent: kept as 'sent' until a page has told the user (whoever sent it: a page, or the service worker). */
(function (root) {
  'use strict';
  var DB = 'inspect-flow-offline', STORE = 'queue';

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: 'id' }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), out;
        var store = t.objectStore(STORE);
        out = work(store);
        t.oncomplete = function () { db.close(); resolve(out && out.result !== undefined ? out.result : undefined); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }
  function all() { return tx('readonly', function (s) { return s.getAll(); }).then(function (r) { return r || []; }); }
  function get(id) { return tx('readonly', function (s) { return s.get(id); }); }
  function put(entry) { return tx('readwrite', function (s) { s.put(entry); }); }
  function remove(id) { return tx('readwrite', function (s) { s.delete(id); }); }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function draftId(user, visit, url) { return 'u' + user + ':v' + visit + ':draft:' + url; }
  function submitId(user, visit) { return 'u' + user + ':v' + visit + ':submit'; }

  /* Keep a draft (replacing this page's earlier one). */
  function saveDraft(d) {
    var id = draftId(d.user, d.visit, d.url);
    return put({ id: id, user: String(d.user), visit: String(d.visit), kind: 'draft', url: d.url,
                 contentType: d.contentType, body: d.body, answers: d.answers || null, csrf: d.csrf,
                 label: d.label || '', state: 'pending', errors: [], created: Date.now() });
  }

  /* Keep a submission. Its key is made once: a submission made again before any attempt to send it replaces
     the answers (and keeps the key); once an attempt was made its body is fixed. */
  function saveSubmission(d) {
    var id = submitId(d.user, d.visit);
    return get(id).then(function (old) {
      var live = old && old.state === 'pending';
      if (live && old.body) return old;
      var entry = { id: id, user: String(d.user), visit: String(d.visit), kind: 'submit',
                    url: '/api/v1/visits/' + d.visit + '/submissions', answers: d.answers, csrf: d.csrf,
                    key: live ? old.key : uuid(), label: d.label || '', state: 'pending', errors: [],
                    created: live ? old.created : Date.now(), body: null };
      return put(entry).then(function () { return entry; });
    });
  }

  function json(r) { return r.text().then(function (t) { try { return JSON.parse(t); } catch (e) { return {}; } }); }
  function isCsrf(status, b) {
    return (status === 400 && b && b.error === 'csrf') || (status === 403 && b && b.code === 'csrf.invalid');
  }

  /* Send one entry; resolve to {outcome: 'sent' | 'refused' | 'login' | 'offline', body}. */
  function send(entry, ctx) {
    function post(token) {
      var headers = { 'X-CSRFToken': token, 'Accept': 'application/json' };
      if (entry.kind === 'submit') {
        headers['Content-Type'] = 'application/json';
        headers['Idempotency-Key'] = entry.key;
      } else {
        headers['Content-Type'] = entry.contentType;
      }
      return fetch(entry.url, { method: 'POST', credentials: 'same-origin', headers: headers,
                                body: entry.body, redirect: 'manual' });
    }
    function attempt(token, retried) {
      return post(token).then(function (r) {
        return json(r).then(function (b) {
          if (r.ok) return { outcome: 'sent', body: b };
          if (r.status === 401 || r.type === 'opaqueredirect') return { outcome: 'login', body: b };
          if (isCsrf(r.status, b) && !retried) {
            return ctx.freshToken().then(function (fresh) {
              if (!fresh) return { outcome: 'login', body: b };
              entry.csrf = fresh; ctx.fresh = fresh;
              return attempt(fresh, true);
            });
          }
          if (r.status >= 500 || r.status === 429) return { outcome: 'offline', body: b };
          return { outcome: 'refused', body: b, status: r.status };
        });
      });
    }
    return prepare(entry).then(function (ready) {
      if (ready !== true) return ready;
      return attempt(ctx.fresh || entry.csrf || ctx.token, false);
    }).catch(function () { return { outcome: 'offline' }; });
  }

  /* A submission's body, made once: the record as the server has it now (participants, what was heard and
     checked, the answers: photos already uploaded stay), the answers typed over it. */
  function prepare(entry) {
    if (entry.kind !== 'submit' || entry.body) return Promise.resolve(true);
    return fetch('/api/v1/visits/' + entry.visit, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (r.status === 401) return { outcome: 'login' };
        return json(r).then(function (v) {
          if (!r.ok) return { outcome: r.status >= 500 ? 'offline' : 'refused', body: v, status: r.status };
          var answers = {};
          Object.keys(v.answers || {}).forEach(function (k) { answers[k] = v.answers[k]; });
          Object.keys(entry.answers || {}).forEach(function (k) { answers[k] = entry.answers[k]; });
          var content = {};
          ['purpose', 'district_report', 'commune_report', 'records_checked', 'discussion', 'local_opinion',
           'ended_at'].forEach(function (k) { if (v.content && v.content[k] !== undefined) content[k] = v.content[k]; });
          entry.body = JSON.stringify({
            participants: (v.participants || []).map(function (p) {
              return { side: p.side, full_name: p.full_name, title: p.title || '', agency: p.agency || '' };
            }),
            content: content, answers: answers });
          return put(entry).then(function () { return true; });
        });
      });
  }

  /* Send what the user has pending, drafts first (oldest first), then submissions.
     ctx: {user, token, freshToken() -> Promise<token|null>, onResult(entry, result)}. Stops at the first
     'offline' or 'login'. Resolves to the last outcome. */
  function flush(ctx) {
    return all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.user === String(ctx.user) && e.state === 'pending'; });
      mine.sort(function (a, b) {
        if (a.kind !== b.kind) return a.kind === 'draft' ? -1 : 1;
        return a.created - b.created;
      });
      var i = 0;
      function next(last) {
        if (i >= mine.length) return Promise.resolve(last || 'done');
        var entry = mine[i++];
        return send(entry, ctx).then(function (res) {
          if (res.outcome === 'offline' || res.outcome === 'login') {
            if (ctx.onResult) ctx.onResult(entry, res);
            return res.outcome;
          }
          var step = res.outcome === 'sent' ? get(entry.id).then(function (now) {
            // a newer draft of the same page, kept while this one was on its way, stays
            if (now && now.created !== entry.created) return undefined;
            // kept as sent until a page has said so (offline.js shows it once, then forgets it)
            return put(Object.assign(entry, { state: 'sent', sent: Date.now(), result: res.body || null }));
          }) : put(Object.assign(entry, { state: 'refused', errors: errorsOf(res.body), message: messageOf(res.body),
                                          status: res.status }));
          return step.then(function () { if (ctx.onResult) ctx.onResult(entry, res); return next(res.outcome); });
        });
      }
      return next();
    });
  }

  function errorsOf(b) {
    var list = (b && b.errors) || [];
    return list.map(function (e) { return { field: e.field || '', message: e.message || e.detail || '' }; });
  }
  function messageOf(b) { return (b && (b.detail || b.message)) || ''; }

  function withLock(work) {
    if (root.navigator && root.navigator.locks) return root.navigator.locks.request('inspect-flow-queue', work);
    return work();
  }

  root.IFQueue = { all: all, get: get, put: put, remove: remove, saveDraft: saveDraft,
                   saveSubmission: saveSubmission, flush: function (ctx) { return withLock(function () { return flush(ctx); }); },
                   uuid: uuid };
})(typeof self !== 'undefined' ? self : window);
