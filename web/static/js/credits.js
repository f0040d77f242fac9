// Mentoring sessions: more annotation rows, seek the recording from an annotation, take the
// player's current time for a new annotation.
(function () {
  var $ = function (id) { return document.getElementById(id); };

  function clock(seconds) {
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  var add = $('add-annotation-row');
  if (add) {
    add.addEventListener('click', function () {
      var rows = $('annotation-rows');
      var row = rows.querySelector('.annotation-row').cloneNode(true);
      row.querySelectorAll('input').forEach(function (el) { el.value = ''; });
      row.querySelectorAll('select').forEach(function (el) { el.selectedIndex = 0; });
      rows.appendChild(row);
      row.querySelector('input').focus();
    });
  }

  var player = $('player');
  document.querySelectorAll('button.seek').forEach(function (btn) {
    btn.addEventListener('click', function () {
      if (!player) return;
      player.currentTime = parseFloat(btn.dataset.at);
      player.play();
    });
  });

  var useNow = $('use-current-time');
  if (useNow && player) {
    useNow.addEventListener('click', function () { $('annotation-at').value = clock(player.currentTime); });
  }
})();
