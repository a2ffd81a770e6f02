/* The documents page's batch progress: polls the batch's JSON while it runs and updates the bar and the counts.
   Without JavaScript the counts shown are those of the page's load (reload to see more). */
(function () {
  'use strict';
  var section = document.getElementById('batch');
  if (!section) return;
  var box = section.querySelector('[data-batch-progress]');
  if (!box) return;
  var url = section.getAttribute('data-batch-url');
  var bar = box.querySelector('progress');
  var state = box.querySelector('[data-batch-state]');
  var lang = document.documentElement.lang;
  var failures = 0;

  function show(b) {
    bar.max = b.total;
    bar.value = b.done + b.failed;
    bar.textContent = b.percent + '%';
    ['done', 'total', 'running', 'pending', 'failed'].forEach(function (k) {
      var el = box.querySelector('[data-count="' + k + '"]');
      if (el) el.textContent = String(b[k]);
    });
    if (b.finished) state.textContent = lang === 'en' ? 'Finished.' : 'Đã xong.';
    else if (b.done + b.failed >= b.total) state.textContent = lang === 'en' ? 'Stopped: some documents failed.' : 'Đã dừng: có văn bản lỗi.';
    else state.textContent = lang === 'en' ? 'Rendering…' : 'Đang in…';
  }

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (body) {
      failures = 0;
      if (!body.batch) return;
      show(body.batch);
      if (body.batch.done + body.batch.failed < body.batch.total) setTimeout(poll, 1500);
      else if (body.batch.failed && !box.querySelector('.batch-failures')) location.reload();  /* show the reasons */
    }).catch(function () {
      failures += 1;
      if (failures < 20) setTimeout(poll, 3000);
    });
  }
  if (Number(bar.value) < Number(bar.max)) poll();
})();
