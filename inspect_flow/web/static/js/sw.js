/* The service worker of inspect_flow (served at /sw.js, scope /): keeps the forms of the visits assigned to the
   logged-in member so that they open without a connection, and sends the offline queue (offline-queue.js)
   when Background Sync says the connection is back.

   - Pages are kept in one cache per user ("if-pages-u<id>"); caching for a user drops every other user's
     cache, and a logout (or the login page) drops them all. Only what the manifest lists is kept: the member's
     own visit forms and record pages, /me, the static assets. Nothing else is stored, never a POST.
   - A GET of a kept URL goes to the network first (its copy refreshed on success) and falls back to the copy
     offline. Other GETs are left to the browser; a page that is not kept answers a short offline page. */
'use strict';
importScripts('/static/js/offline-queue.js');

var PREFIX = 'if-pages-u';

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

function dropCaches(keep) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf('if-') === 0 && n !== keep; })
      .map(function (n) { return caches.delete(n); }));
  });
}

function precache(user) {
  var name = PREFIX + user;
  return fetch('/offline/manifest', { credentials: 'same-origin', headers: { 'Accept': 'application/json' },
                                      redirect: 'manual', cache: 'no-store' })
    .then(function (r) {
      if (!r.ok) throw new Error('manifest ' + r.status);
      return r.json();
    })
    .then(function (m) {
      if (String(m.user) !== String(user)) return dropCaches(null).then(function () { return 0; });
      return dropCaches(name).then(function () { return caches.open(name); }).then(function (cache) {
        var urls = m.pages.concat(m.assets);
        return cache.keys().then(function (old) {
          // a visit no longer assigned (submitted, another team) is not kept
          var wanted = {};
          urls.forEach(function (u) { wanted[new URL(u, self.location.origin).href] = true; });
          return Promise.all(old.filter(function (req) { return !wanted[req.url]; })
            .map(function (req) { return cache.delete(req); }));
        }).then(function () {
          return Promise.all(urls.map(function (u) {
            return fetch(u, { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' }).then(function (resp) {
              if (resp.ok && resp.type === 'basic') return cache.put(u, resp);
              return undefined;
            }).catch(function () { return undefined; });
          }));
        }).then(function () { return urls.length; });
      });
    });
}

self.addEventListener('message', function (event) {
  var data = event.data || {};
  var reply = function (msg) { if (event.ports && event.ports[0]) event.ports[0].postMessage(msg); };
  if (data.type === 'precache' && data.user) {
    event.waitUntil(precache(data.user).then(function (n) { reply({ ok: true, cached: n }); },
                                             function (e) { reply({ ok: false, error: String(e) }); }));
  } else if (data.type === 'user') {
    // the page's user: any other user's pages go
    event.waitUntil(dropCaches(data.user ? PREFIX + data.user : null).then(function () { reply({ ok: true }); }));
  } else if (data.type === 'clear') {
    event.waitUntil(dropCaches(null).then(function () { reply({ ok: true }); }));
  }
});

function offlinePage() {
  var html = '<!doctype html><html lang="vi"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Không có mạng — inspect_flow</title><link rel="stylesheet" href="/static/css/app.css">' +
    '<main class="page"><h1>Không có kết nối mạng <small>No connection</small></h1>' +
    '<p>Trang này chưa được lưu trên máy. Các biểu mẫu buổi làm việc được giao cho bạn mở được khi không có mạng ' +
    'nếu bạn đã mở trang «Việc của tôi» khi có mạng.</p>' +
    '<p lang="en">This page is not kept on this device. The forms of the visits assigned to you open offline once ' +
    'you have opened “My work” online.</p><p><a href="/me">Việc của tôi / My work</a></p></main></html>';
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

self.addEventListener('fetch', function (event) {
  var req = event.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/api/') === 0 || url.pathname.indexOf('/offline/') === 0 || url.pathname === '/sw.js') return;
  event.respondWith(caches.keys().then(function (names) {
    var name = names.filter(function (n) { return n.indexOf(PREFIX) === 0; })[0];
    var lookup = name ? caches.open(name).then(function (c) { return c.match(req, { ignoreVary: true }).then(function (hit) { return { cache: c, hit: hit }; }); })
                      : Promise.resolve({ cache: null, hit: undefined });
    return lookup.then(function (found) {
      return fetch(req).then(function (resp) {
        // a kept URL is refreshed with what the server says now (its page, for this same user)
        if (found.hit && resp.ok && resp.type === 'basic' && !resp.redirected) found.cache.put(req, resp.clone());
        return resp;
      }, function () {
        if (found.hit) return found.hit;
        if (req.mode === 'navigate') return offlinePage();
        return Response.error();
      });
    });
  }));
});

self.addEventListener('sync', function (event) {
  if (event.tag !== 'inspect-flow-queue') return;
  event.waitUntil(fetch('/offline/csrf', { credentials: 'same-origin', headers: { 'Accept': 'application/json' },
                                          redirect: 'manual', cache: 'no-store' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (who) {
      if (!who) return undefined;
      var fresh = function () { return Promise.resolve(who.token); };
      return self.IFQueue.flush({ user: who.user, token: who.token, freshToken: fresh }).then(function () {
        return self.clients.matchAll({ type: 'window' }).then(function (list) {
          list.forEach(function (c) { c.postMessage({ type: 'queue-changed' }); });
        });
      });
    }));
});
