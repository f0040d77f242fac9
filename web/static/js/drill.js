// The drill page: render the session from the API, answer by text (scored at once) or by voice
// (recorded with MediaRecorder or an uploaded file, transcribed by a worker, polled until scored).
(function () {
  var root = document.getElementById('drill');
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var $ = function (id) { return document.getElementById(id); };
  var canAnswer = root.dataset.canAnswer === 'true';
  var recorder = null, chunks = [];

  function api(method, url, body, isForm) {
    var opts = { method: method, headers: { 'X-CSRFToken': csrf, 'Accept': 'application/json' }, credentials: 'same-origin' };
    if (body !== undefined) {
      if (isForm) { opts.body = body; } else { opts.body = JSON.stringify(body); opts.headers['Content-Type'] = 'application/json'; }
    }
    return fetch(url, opts).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) throw new Error(data.message || ('请求失败（' + resp.status + '）'));
        return data;
      });
    });
  }

  function showError(message) {
    $('answer-error').textContent = message;
    $('answer-error').hidden = !message;
  }

  function bubble(cls, who, text, extra) {
    var li = document.createElement('li');
    li.className = 'bubble ' + cls;
    var w = document.createElement('span');
    w.className = 'who';
    w.textContent = who;
    var t = document.createElement('span');
    t.className = 'text';
    t.textContent = text;
    li.appendChild(w);
    li.appendChild(t);
    if (extra) li.appendChild(extra);
    return li;
  }

  function badge(turn) {
    var b = document.createElement('span');
    b.className = 'badge status-' + turn.status;
    if (turn.status === 'scored') b.textContent = Math.round(turn.score) + ' 分';
    else if (turn.status === 'failed') b.textContent = '失败：' + (turn.failure_reason || '');
    else b.textContent = '语音识别中…';
    return b;
  }

  function renderConversation(state) {
    var list = $('conversation');
    list.innerHTML = '';
    state.turns.forEach(function (turn) {
      list.appendChild(bubble('customer', '客户', turn.customer_line));
      var text = turn.answer_text || (turn.mode === 'voice' ? '（语音回答）' : '');
      list.appendChild(bubble('me', turn.mode === 'voice' ? '我（语音）' : '我', text, badge(turn)));
    });
    if (state.status === 'active') list.appendChild(bubble('customer current', '客户', state.customer_line));
  }

  function fillList(id, items, render) {
    var ul = $(id);
    ul.innerHTML = '';
    items.forEach(function (item) {
      var li = document.createElement('li');
      li.textContent = render(item);
      ul.appendChild(li);
    });
  }

  function renderResult(turn) {
    if (!turn || turn.status !== 'scored') return;
    $('result').hidden = false;
    $('score').textContent = Math.round(turn.score);
    $('session-score').textContent = Math.round(turn.session_score);
    $('off-topic').hidden = !turn.off_topic;
    fillList('hits', turn.hits, function (p) { return p.description; });
    fillList('missed', turn.missed, function (p) { return p.description; });
    fillList('pitfalls', turn.pitfalls, function (p) { return p.label + '：“' + p.evidence + '”'; });
    $('pitfalls-box').hidden = turn.pitfalls.length === 0;
    $('follow-up-box').hidden = !turn.follow_up;
    $('follow-up').textContent = turn.follow_up || '';
    var clips = $('clips');
    clips.innerHTML = '';
    turn.clips.forEach(function (c) { clips.appendChild(DrillClips.element(c)); });
    $('no-clips').hidden = turn.clips.length > 0;
  }

  function renderKeyPoints(state) {
    var answered = state.turns.some(function (t) { return t.status === 'scored'; });
    fillList('key-points', state.key_points, function (p) {
      return (answered ? (p.hit ? '✔ ' : '✘ ') : '· ') + p.description;
    });
  }

  function render(state) {
    renderConversation(state);
    renderKeyPoints(state);
    var scored = state.turns.filter(function (t) { return t.status === 'scored'; });
    renderResult(scored[scored.length - 1]);
    var pending = state.turns.some(function (t) { return t.status === 'transcribing'; });
    $('answer-panel').hidden = !canAnswer || state.status !== 'active';
    $('drill-over').hidden = state.status === 'active';
    $('send-answer').disabled = pending;
    $('upload-voice').disabled = pending;
    $('record-button').disabled = pending;
    if (pending) poll(state.turns[state.turns.length - 1].url);
  }

  function load() {
    return api('GET', root.dataset.sessionUrl).then(render).catch(function (e) { showError(e.message); });
  }

  function poll(url) {
    setTimeout(function () {
      api('GET', url).then(function (turn) {
        if (turn.status === 'transcribing') poll(url); else load();
      }).catch(function (e) { showError(e.message); });
    }, 1000);
  }

  $('answer-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = $('answer-text').value.trim();
    if (!text) { showError('请先输入回答'); return; }
    showError('');
    $('send-answer').disabled = true;
    api('POST', root.dataset.answerUrl, { text: text }).then(function () {
      $('answer-text').value = '';
      return load();
    }).catch(function (e) { showError(e.message); $('send-answer').disabled = false; });
  });

  function sendVoice(blob, name) {
    var form = new FormData();
    form.append('audio', blob, name);
    showError('');
    $('record-status').textContent = '上传中…';
    return api('POST', root.dataset.voiceUrl, form, true).then(function () {
      $('record-status').textContent = '语音识别中…';
      return load();
    }).catch(function (e) { showError(e.message); $('record-status').textContent = ''; });
  }

  $('upload-voice').addEventListener('click', function () {
    var file = $('voice-file').files[0];
    if (!file) { showError('请先选择录音文件'); return; }
    sendVoice(file, file.name).then(function () { $('voice-file').value = ''; });
  });

  $('record-button').addEventListener('click', function () {
    var button = $('record-button');
    if (recorder && recorder.state === 'recording') { recorder.stop(); return; }
    if (!navigator.mediaDevices || !window.MediaRecorder) { showError('当前浏览器不支持录音，请上传录音文件'); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
      recorder.onstop = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        button.textContent = '● 开始录音';
        button.dataset.state = 'idle';
        var type = recorder.mimeType || 'audio/webm';
        sendVoice(new Blob(chunks, { type: type }), type.indexOf('ogg') >= 0 ? 'answer.ogg' : 'answer.webm');
      };
      recorder.start();
      button.textContent = '■ 停止并提交';
      button.dataset.state = 'recording';
      $('record-status').textContent = '录音中…';
    }).catch(function () { showError('无法使用麦克风，请检查浏览器权限，或上传录音文件'); });
  });

  $('finish-drill').addEventListener('click', function () {
    api('POST', root.dataset.finishUrl).then(render).catch(function (e) { showError(e.message); });
  });

  load();
})();
