"""The processing pipeline: statuses, failures with reasons, bounded retries, the real worker process."""

import io
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from coachsvc.db.models import ActivityRecord
from tests import factories


def _upload(api_client, user, text=factories.CHAT):
    client, headers = api_client(user)
    resp = client.post(
        "/api/v1/activities", data={"file": (io.BytesIO(text.encode()), "v.txt")}, headers=headers
    )
    assert resp.status_code == 202, resp.json
    return client, headers, resp.json["id"]


def test_the_worker_entry_point_processes_a_record(app, api_client, rep, database_url, redis_url, tmp_path):
    client, headers, rid = _upload(api_client, rep)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "COACHSVC_INSTANCE": str(tmp_path / "worker-instance"),
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
    }
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-m", "worker", "--burst"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"activity-{rid}-0" in proc.stderr  # the job id is stamped on the worker's log lines
    assert client.get(f"/api/v1/activities/{rid}", headers=headers).json["status"] == "done"


def test_missing_file_fails_with_a_reason(app, api_client, rep, worker, session):
    client, headers, rid = _upload(api_client, rep)
    Path(session.get(ActivityRecord, rid).file_path).unlink()
    worker()
    body = client.get(f"/api/v1/activities/{rid}", headers=headers).json
    assert body["status"] == "failed" and "文件已不存在" in body["failure_reason"]


def test_unexpected_errors_are_retried_then_fail_with_the_reason(app, api_client, rep, session, monkeypatch):
    from rq import SimpleWorker

    from coachsvc import jobs
    from coachsvc.queue import QUEUES, get_queue, get_redis

    seen = []

    def broken(info):  # a fault we cannot cause for real: a bug deep inside a step
        session.expire_all()
        record = session.get(ActivityRecord, info.id)
        seen.append((record.status, record.failure_reason))
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "_utterances", broken)
    client, headers, rid = _upload(api_client, rep)
    with app.app_context():
        job = get_queue("batch").fetch_job(f"activity-{rid}-0")
        job.retries_left, job.retry_intervals = 1, [0]
        job.save()
        SimpleWorker(list(QUEUES), connection=get_redis(app)).work(burst=True)
    session.expire_all()
    record = session.get(ActivityRecord, rid)
    assert len(seen) == 2  # one retry, then no more
    assert seen[1][0] == "analyzing" and seen[1][1] is None  # the retry starts clean
    assert record.status == "failed" and "disk on fire" in record.failure_reason
    assert "重试" not in record.failure_reason and record.attempts == 2


def test_a_failure_with_retries_left_leaves_the_record_queued(app, api_client, rep, session, monkeypatch):
    from rq import SimpleWorker

    from coachsvc import jobs
    from coachsvc.queue import QUEUES, get_queue, get_redis

    monkeypatch.setattr(jobs, "_utterances", lambda info: 1 / 0)
    client, headers, rid = _upload(api_client, rep)
    with app.app_context():
        job = get_queue("batch").fetch_job(f"activity-{rid}-0")
        job.retries_left, job.retry_intervals = 1, [3600]  # scheduled for later
        job.save()
        SimpleWorker(list(QUEUES), connection=get_redis(app)).work(burst=True)
    session.expire_all()
    record = session.get(ActivityRecord, rid)
    assert record.status == "queued" and "ZeroDivisionError" in record.failure_reason
    assert "将自动重试" in record.failure_reason


def test_queue_down_keeps_the_upload_and_says_so(app, api_client, rep, session, worker):
    app.config["REDIS_URL"], good = "redis://127.0.0.1:1/0", app.config["REDIS_URL"]
    app.extensions.pop("coachsvc.redis", None)
    client, headers = api_client(rep)
    form = {"file": (io.BytesIO(factories.CHAT.encode()), "v.txt")}
    resp = client.post("/api/v1/activities", data=form, headers=headers)
    assert resp.status_code == 503 and resp.json["error"] == "queue_unavailable"
    rid = resp.json["activity_id"]
    record = session.scalar(select(ActivityRecord).where(ActivityRecord.id == rid))
    assert record.status == "failed" and Path(record.file_path).exists()

    app.config["REDIS_URL"] = good
    app.extensions.pop("coachsvc.redis", None)
    assert client.post(f"/api/v1/activities/{rid}/retry", headers=headers).status_code == 202
    worker()
    assert client.get(f"/api/v1/activities/{rid}", headers=headers).json["status"] == "done"


def test_retry_only_for_failed_records(app, api_client, rep):
    client, headers, rid = _upload(api_client, rep)
    resp = client.post(f"/api/v1/activities/{rid}/retry", headers=headers)
    assert resp.status_code == 409 and resp.json["error"] == "not_failed"


def test_the_time_limit_of_processing_is_sized_by_the_work(app, api_client, rep, session):
    from coachsvc.queue import get_queue
    from tests.audio import tone_wav

    _, _, chat = _upload(api_client, rep)
    client, headers = api_client(rep)
    resp = client.post(
        "/api/v1/activities", data={"file": (io.BytesIO(tone_wav(seconds=12)), "call.wav")}, headers=headers
    )
    assert resp.status_code == 202, resp.json
    audio = resp.json["id"]
    with app.app_context():
        limit = {rid: get_queue("batch").fetch_job(f"activity-{rid}-0").timeout for rid in (chat, audio)}
    duration = session.get(ActivityRecord, audio).duration_seconds
    assert 11 < duration < 13
    # a chat transcript: the base; a recording: the base plus its length (x1.0)
    assert limit == {chat: 300, audio: int(300 + duration)}


def test_enqueue_sets_bounded_retries(app):
    with app.app_context():
        from coachsvc.queue import enqueue

        app.config["JOB_MAX_RETRIES"] = 2
        job = enqueue(print, "x", job_id="probe")
        assert job.retries_left == 2 and job.timeout == app.config["JOB_TIMEOUT_SECONDS"]
