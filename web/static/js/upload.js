// Upload with a progress bar (XMLHttpRequest reports upload progress), then follow processing.
(function () {
  var form = document.getElementById('upload-form');
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var $ = function (id) { return document.getElementById(id); };

  function showError(message) {
    var el = $('upload-error');
    el.textContent = message;
    el.hidden = false;
    $('upload-button').disabled = false;
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var data = new FormData(form);
    ['visit_date', 'stage', 'customer', 'rep_speaker'].forEach(function (k) {
      if (!data.get(k)) data.delete(k);
    });
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.dataset.api);
    xhr.setRequestHeader('X-CSRFToken', csrf);
    xhr.setRequestHeader('Accept', 'application/json');
    $('upload-state').hidden = false;
    $('upload-error').hidden = true;
    $('upload-button').disabled = true;
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round(e.loaded * 100 / e.total);
      $('upload-progress').value = pct;
      $('upload-percent').textContent = pct + '%';
    };
    xhr.onerror = function () { showError('网络错误，上传失败'); };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status !== 202) {
        showError(body.message || ('上传失败（' + xhr.status + '）'));
        return;
      }
      $('upload-label').textContent = '上传完成';
      $('upload-progress').value = 100;
      $('upload-percent').textContent = '100%';
      var link = $('record-link');
      link.querySelector('a').href = '/activities/' + body.id;
      link.hidden = false;
      $('process-progress').hidden = false;
      CoachStatus.poll(body.url, function (rec) {
        $('process-label').textContent = '处理状态：' + CoachStatus.label(rec.status);
        $('process-progress').value = Math.round(rec.progress * 100);
      }, function (rec) {
        if (rec.status === 'failed') showError('处理失败：' + rec.failure_reason);
      });
    };
    xhr.send(data);
  });
})();
