"""Audio through the whole pipeline: upload, queue, a real worker, the real Whisper model, stored
segments; bad audio ends as a failed record with its reason; a killed worker leaves the record
re-runnable; SIGTERM lets the running job finish; the job time limit holds."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coachsvc.db.models import ActivityRecord, TranscriptSegment
from tests import audio
from tests.test_asr import DATA, _unknown_codec_wav

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _upload(api_client, user, path: Path = DATA / "aishell1_BAC009S0764W0121.opus", **form):
    client, headers = api_client(user)
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), **form}
    resp = client.post("/api/v1/activities", data=data, headers=headers)
    assert resp.status_code == 202, resp.json
    return client, headers, resp.json["id"]


def _record(session, rid) -> ActivityRecord:
    session.expire_all()
    return session.get(ActivityRecord, rid)


def _segments(session, rid) -> int:
    return session.scalar(select(func.count()).where(TranscriptSegment.activity_id == rid))


def test_uploaded_visit_becomes_a_speaker_attributed_transcript(app, api_client, rep, worker):
    client, headers, rid = _upload(api_client, rep, DATA / "visit_mono.opus", customer="华东精密")
    worker()
    body = client.get(f"/api/v1/activities/{rid}", headers=headers).json
    assert body["status"] == "done" and body["progress"] == 1.0, body.get("failure_reason")
    segments = body["segments"]
    assert [s["party"] for s in segments[:4]] == ["rep", "customer", "rep", "customer"]
    assert {s["speaker"] for s in segments} == {"销售", "客户"}
    assert all(s["start"] < s["end"] for s in segments)
    assert "预算" in "".join(s["text"] for s in segments if s["party"] == "customer")


def test_stereo_upload_takes_the_rep_channel_from_the_uploader(app, api_client, rep, worker):
    client, headers, rid = _upload(api_client, rep, DATA / "visit_stereo.opus", rep_speaker="right")
    worker()
    body = client.get(f"/api/v1/activities/{rid}", headers=headers).json
    assert body["status"] == "done", body.get("failure_reason")
    assert body["segments"][0]["party"] == "customer"  # the left channel opens; the rep is right


def _overwrite(content: bytes):
    def damage(path: Path) -> None:
        path.write_bytes(content)

    return damage


@pytest.mark.parametrize(
    "damage, reason",
    [
        (_overwrite(b""), "音频文件为空"),
        (_overwrite(audio.corrupt_wav()), "无法解码"),
        (_overwrite(_unknown_codec_wav()), "不支持的音频编码"),
        (Path.unlink, "文件已不存在"),
    ],
    ids=["emptied", "corrupted", "unknown-codec", "missing"],
)
def test_audio_damaged_after_upload_fails_with_its_reason(
    app, api_client, rep, worker, session, damage, reason
):
    client, headers, rid = _upload(api_client, rep)
    damage(Path(_record(session, rid).file_path))
    worker()
    record = _record(session, rid)
    assert record.status == "failed" and reason in record.failure_reason
    assert _segments(session, rid) == 0


def test_silent_recording_fails_with_no_speech(app, api_client, rep, worker, session):
    client, headers = api_client(rep)
    data = {"file": (io.BytesIO(audio.silence_wav(5.0)), "quiet.wav")}
    rid = client.post("/api/v1/activities", data=data, headers=headers).json["id"]
    worker()
    record = _record(session, rid)
    assert record.status == "failed" and "没有检测到语音" in record.failure_reason


def test_recording_over_the_length_limit_fails(app, api_client, rep, worker, session):
    client, headers, rid = _upload(api_client, rep, DATA / "visit_mono.opus")
    app.config["MAX_AUDIO_SECONDS"] = 30  # lowered after the upload was accepted
    worker()
    record = _record(session, rid)
    assert record.status == "failed" and "超过 30 秒上限" in record.failure_reason


def test_the_job_time_limit_fails_the_record_with_its_reason(app, api_client, rep, worker, session):
    app.config["PROCESSING_TIMEOUT_SECONDS"], app.config["AUDIO_JOB_SECONDS_PER_SECOND"] = 1, 0.0
    client, headers, rid = _upload(api_client, rep, DATA / "visit_mono.opus")
    worker()
    record = _record(session, rid)
    assert record.status == "failed" and "转写超时" in record.failure_reason
    assert _segments(session, rid) == 0


# --- the worker process: killed, or asked to stop ------------------------------------------------


def _start_worker(app, database_url, redis_url, tmp_path, *args) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "COACHSVC_INSTANCE": str(tmp_path / "worker-instance"),
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "JOB_MAX_RETRIES": "0",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "worker", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for_progress(session, rid, proc, timeout=120.0) -> ActivityRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = _record(session, rid)
        if record.status == "transcribing" and record.progress > 0:
            return record
        assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
        time.sleep(0.05)
    raise AssertionError("the worker never reported progress")


def test_a_killed_worker_leaves_the_record_rerunnable_without_duplicates(
    app, api_client, rep, session, worker, database_url, redis_url, tmp_path
):
    from rq.registry import StartedJobRegistry

    from coachsvc.jobs import process_activity
    from coachsvc.queue import get_queue
    from worker import record_interrupted_job

    client, headers, rid = _upload(api_client, rep, DATA / "visit_mono.opus")
    proc = _start_worker(app, database_url, redis_url, tmp_path, "--burst")
    try:
        running = _wait_for_progress(session, rid, proc)
        assert 0 < running.progress < 0.9  # the bar moves while the audio is transcribed
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
    record = _record(session, rid)
    assert record.status == "transcribing" and _segments(session, rid) == 0  # nothing half-written

    with app.app_context():  # what RQ does once the dead worker's job heartbeat has expired
        registry = StartedJobRegistry(queue=get_queue("batch"))
        registry.cleanup(time.time() + 10**6, exception_handlers=[record_interrupted_job])
    record = _record(session, rid)
    assert record.status == "failed" and "处理中断" in record.failure_reason

    assert client.post(f"/api/v1/activities/{rid}/retry", headers=headers).status_code == 202
    worker()
    assert _record(session, rid).status == "done"
    stored = _segments(session, rid)
    assert stored >= 10

    record = _record(session, rid)
    record.status = "transcribing"  # killed again, after writing its segments
    session.commit()
    with app.app_context():
        assert process_activity(rid) == "done"
    assert _segments(session, rid) == stored


def test_sigterm_lets_the_running_transcription_finish(
    app, api_client, rep, session, database_url, redis_url, tmp_path
):
    client, headers, rid = _upload(api_client, rep, DATA / "visit_mono.opus")
    proc = _start_worker(app, database_url, redis_url, tmp_path)  # not burst: it would run on
    try:
        _wait_for_progress(session, rid, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0
        log = proc.stdout.read().decode().lower()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
    record = _record(session, rid)
    assert record.status == "done" and _segments(session, rid) >= 10
    assert "warm shut down" in log
