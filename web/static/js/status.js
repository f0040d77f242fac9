// Polls an activity record until it is done or failed.
window.CoachStatus = (function () {
  var LABELS = {queued: '排队中', transcribing: '转写中', analyzing: '分析中', done: '已完成', failed: '失败'};
  function label(status) { return LABELS[status] || status; }
  function poll(url, onUpdate, onFinal) {
    function tick() {
      fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
        .then(function (r) { return r.json(); })
        .then(function (rec) {
          onUpdate(rec);
          if (rec.status === 'done' || rec.status === 'failed') { onFinal(rec); }
          else { setTimeout(tick, 1000); }
        })
        .catch(function () { setTimeout(tick, 3000); });
    }
    tick();
  }
  return {label: label, poll: poll};
})();
