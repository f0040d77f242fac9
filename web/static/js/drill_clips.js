// Top-performer clip players: play only the clip's span of the call recording. The src carries a
// media fragment (#t=start,end); this also seeks to the start and pauses at the end, so replaying
// or seeking outside the span behaves the same in every browser.
var DrillClips = (function () {
  function bind(audio) {
    var start = parseFloat(audio.dataset.start), end = parseFloat(audio.dataset.end);
    if (isNaN(start) || isNaN(end)) return;
    audio.addEventListener('loadedmetadata', function () {
      if (audio.currentTime < start || audio.currentTime > end) audio.currentTime = start;
    });
    audio.addEventListener('play', function () {
      if (audio.currentTime < start - 0.25 || audio.currentTime >= end) audio.currentTime = start;
    });
    audio.addEventListener('timeupdate', function () {
      if (audio.currentTime >= end) audio.pause();
    });
  }

  function element(clip) {
    var box = document.createElement('article');
    box.className = 'clip';
    box.dataset.clip = clip.id;
    var tags = document.createElement('p');
    tags.className = 'tags';
    [clip.category_label, '销冠：' + clip.rep_name].concat(clip.moves.map(function (m) { return m.label; }))
      .forEach(function (t, i) {
        var span = document.createElement('span');
        span.className = i > 1 ? 'tag move' : 'tag';
        span.textContent = t;
        tags.appendChild(span);
      });
    box.appendChild(tags);
    [['objection', '客户：' + clip.objection_text], ['answer', '销冠：' + clip.answer_text]].forEach(function (p) {
      var el = document.createElement('p');
      el.className = p[0];
      el.textContent = p[1];
      box.appendChild(el);
    });
    if (clip.media_url) {
      var audio = document.createElement('audio');
      audio.controls = true;
      audio.preload = 'metadata';
      audio.dataset.start = clip.start;
      audio.dataset.end = clip.end;
      audio.src = clip.media_url;
      bind(audio);
      box.appendChild(audio);
    }
    return box;
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('audio[data-start][data-end]').forEach(bind);
  });
  return { bind: bind, element: element };
})();
