"""Voice answers: the recording is stored, a `transcribing` turn is committed and queued on the
realtime queue, a real worker transcribes it with the real Whisper model and scores it; bad
audio is refused with a clear error and leaves nothing behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from coachsvc.db.drills import DrillTurn
from tests import audio, factories

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.slow


@pytest.fixture
def new_hire(session, team):
    return factories.make_user(session, "new_hire", team)


def _start(client, headers, scenario="price-competitor-20pct"):
    return client.post("/api/v1/drills/sessions", json={"scenario_id": scenario}, headers=headers).json


def _voice(client, headers, drill_id, data: bytes, name: str):
    return client.post(
        f"/api/v1/drills/sessions/{drill_id}/voice",
        data={"audio": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_spoken_answer_is_transcribed_by_the_worker_and_scored(api_client, new_hire, worker, app):
    client, headers = api_client(new_hire)
    drill = _start(client, headers)
    # a real recorded sales visit: the rep asks what the competitor's quote includes
    resp = _voice(client, headers, drill["id"], (DATA / "visit_mono.opus").read_bytes(), "answer.opus")
    assert resp.status_code == 202, resp.json
    turn = resp.json
    assert turn["status"] == "transcribing" and turn["mode"] == "voice" and turn["score"] is None
    # a second answer while this one is pending is refused
    busy = client.post(
        f"/api/v1/drills/sessions/{drill['id']}/answers", json={"text": "您好"}, headers=headers
    )
    assert busy.status_code == 409 and busy.json["error"] == "answer_pending"

    worker()  # a real RQ worker (realtime queue) runs the real Whisper model
    done = client.get(turn["url"], headers=headers).json
    assert done["status"] == "scored", done
    assert "报价" in done["answer_text"] and "实施" in done["answer_text"]
    assert "clarify_basis" in {p["id"] for p in done["hits"]}
    assert 0 < done["score"] <= 100 and done["follow_up"]


def test_a_recording_without_speech_fails_the_turn_with_a_reason(api_client, new_hire, worker):
    client, headers = api_client(new_hire)
    drill = _start(client, headers)
    resp = _voice(client, headers, drill["id"], audio.silence_wav(2.0), "quiet.wav")
    assert resp.status_code == 202
    worker()
    done = client.get(resp.json["url"], headers=headers).json
    assert done["status"] == "failed" and done["failure_reason"]
    # the drill goes on: a typed answer is accepted after the failed one
    again = client.post(
        f"/api/v1/drills/sessions/{drill['id']}/answers", json={"text": "您对比的是哪一家？"}, headers=headers
    )
    assert again.status_code == 200 and again.json["idx"] == 1


def test_bad_voice_uploads_are_refused_and_leave_nothing_behind(api_client, new_hire, app, session):
    client, headers = api_client(new_hire)
    drill = _start(client, headers)
    corrupt = _voice(client, headers, drill["id"], audio.corrupt_wav(), "bad.wav")
    assert corrupt.status_code == 422 and corrupt.json["error"] == "corrupt_audio"
    empty = _voice(client, headers, drill["id"], b"", "empty.webm")
    assert empty.status_code == 400 and empty.json["error"] == "empty_file"
    missing = client.post(f"/api/v1/drills/sessions/{drill['id']}/voice", data={}, headers=headers)
    assert missing.status_code == 422 and missing.json["error"] == "invalid_input"
    assert session.query(DrillTurn).count() == 0
    drill_dir = Path(app.config["UPLOAD_DIR"]) / "drills"
    leftovers = [p for p in drill_dir.rglob("*") if p.is_file()] if drill_dir.exists() else []
    assert leftovers == []


def test_another_user_cannot_answer_by_voice(api_client, new_hire, other_rep):
    client, headers = api_client(new_hire)
    drill = _start(client, headers)
    other, other_headers = api_client(other_rep)
    resp = _voice(other, other_headers, drill["id"], audio.tone_wav(1.0), "a.wav")
    assert resp.status_code == 404


def test_a_transcription_error_fails_the_turn_with_its_reason(api_client, new_hire, worker, app, tmp_path):
    client, headers = api_client(new_hire)
    drill = _start(client, headers)
    # the configured Whisper model does not exist: the job fails and the turn says why
    app.config["WHISPER_MODEL"] = str(tmp_path / "no-such-model")
    resp = _voice(client, headers, drill["id"], audio.tone_wav(1.0), "a.wav")
    assert resp.status_code == 202
    worker()
    done = client.get(resp.json["url"], headers=headers).json
    assert done["status"] == "failed" and done["failure_reason"].startswith("语音识别出错")
