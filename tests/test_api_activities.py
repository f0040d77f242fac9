"""Upload, read and list activity records through the API; bad input; the pipeline to done."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coachsvc.db.models import ActivityRecord, TranscriptSegment
from tests import audio, factories


def _upload(client, headers, data: bytes, name: str, **fields):
    form = {"file": (io.BytesIO(data), name), **fields}
    return client.post("/api/v1/activities", data=form, headers=headers, content_type="multipart/form-data")


def _uploaded_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_chat_upload_is_queued_then_processed_to_done(app, api_client, rep, worker, session):
    client, headers = api_client(rep)
    resp = _upload(
        client,
        headers,
        factories.CHAT.encode(),
        "visit.txt",
        customer="华东精密",
        stage="diagnose",
        visit_date="2026-11-18",
    )
    assert resp.status_code == 202, resp.json
    rid = resp.json["id"]
    assert client.get(f"/api/v1/activities/{rid}", headers=headers).json["status"] == "queued"

    worker()

    body = client.get(f"/api/v1/activities/{rid}", headers=headers).json
    assert body["status"] == "done" and body["progress"] == 1.0
    assert body["customer"] == "华东精密" and body["visit_date"] == "2026-11-18"
    assert [s["party"] for s in body["segments"]] == ["rep", "customer", "rep", "customer"]
    assert body["segments"][3]["text"] == "听起来不错，但是价格太贵了。"


def test_rerunning_the_job_does_not_duplicate_segments(app, api_client, rep, worker, session):
    from coachsvc.jobs import process_activity

    client, headers = api_client(rep)
    rid = _upload(client, headers, factories.CHAT.encode(), "v.txt").json["id"]
    worker()
    record = session.get(ActivityRecord, rid)
    record.status = "queued"  # as if a worker died after writing segments
    session.commit()
    with app.app_context():
        assert process_activity(rid) == "done"
    count = session.scalar(select(func.count()).where(TranscriptSegment.activity_id == rid))
    assert count == 4


@pytest.mark.slow
def test_audio_is_transcribed_to_done_and_a_tone_fails_with_a_clear_reason(app, api_client, rep, worker):
    client, headers = api_client(rep)
    speech = (Path(__file__).parent / "data" / "aishell1_BAC009S0764W0121.opus").read_bytes()
    resp = _upload(client, headers, speech, "call.opus")
    tone = _upload(client, headers, audio.tone_wav(1.0), "tone.wav")
    assert resp.status_code == tone.status_code == 202
    worker()
    body = client.get(f"/api/v1/activities/{resp.json['id']}", headers=headers).json
    assert body["status"] == "done" and body["segments"][0]["text"].startswith("甚至出现交易")
    assert body["segments"][0]["party"] == "rep" and body["segments"][0]["start"] is not None
    body = client.get(f"/api/v1/activities/{tone.json['id']}", headers=headers).json
    assert body["status"] == "failed" and "没有检测到语音" in body["failure_reason"]


@pytest.mark.parametrize(
    "data, name, status, code",
    [
        (b"", "empty.txt", 400, "empty_file"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "contract.pdf", 415, "unsupported_type"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", 415, "unsupported_type"),
        (audio.corrupt_wav(), "broken.wav", 422, "corrupt_audio"),
        ("销售：你好".encode("gbk"), "gbk.txt", 422, "invalid_utf8"),
        ("这只是一段话，没有说话人。".encode(), "note.txt", 422, "unknown_format"),
    ],
)
def test_bad_uploads_get_their_own_error_and_leave_nothing(
    app, api_client, rep, session, data, name, status, code
):
    client, headers = api_client(rep)
    resp = _upload(client, headers, data, name)
    assert resp.status_code == status
    assert resp.json["error"] == code and resp.json["message"]
    assert session.scalar(select(func.count()).select_from(ActivityRecord)) == 0
    assert _uploaded_files(app) == []


def test_upload_over_the_size_limit_is_413(app, api_client, rep, session):
    app.config["MAX_UPLOAD_MB"] = 0.01  # checked while streaming, even without Content-Length limits
    client, headers = api_client(rep)
    resp = _upload(client, headers, b"x" * 20000, "big.txt")
    assert resp.status_code == 413 and resp.json["error"] == "file_too_large"
    assert session.scalar(select(func.count()).select_from(ActivityRecord)) == 0
    assert _uploaded_files(app) == []


def test_request_body_over_max_content_length_is_413_json(app, api_client, rep):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client, headers = api_client(rep)
    resp = _upload(client, headers, b"x" * 5000, "big.txt")
    assert resp.status_code == 413 and resp.json["error"] == "file_too_large"


def test_missing_file_and_bad_fields_are_422(app, api_client, rep):
    client, headers = api_client(rep)
    resp = client.post("/api/v1/activities", data={"stage": "diagnose"}, headers=headers)
    assert resp.status_code == 422 and "file" in resp.json["errors"]["files"]
    resp = _upload(client, headers, factories.CHAT.encode(), "v.txt", stage="closing")
    assert resp.status_code == 422 and "stage" in resp.json["errors"]["form"]


def test_same_file_twice_is_a_duplicate(app, api_client, rep, session):
    client, headers = api_client(rep)
    first = _upload(client, headers, factories.CHAT.encode(), "a.txt")
    again = _upload(client, headers, factories.CHAT.encode(), "b.txt")
    assert again.status_code == 409 and again.json["activity_id"] == first.json["id"]
    assert session.scalar(select(func.count()).select_from(ActivityRecord)) == 1
    assert len(_uploaded_files(app)) == 1


def test_list_filters_and_paginates(app, api_client, rep):
    client, headers = api_client(rep)
    for i, stage in enumerate(["diagnose", "propose", "diagnose"]):
        text = factories.CHAT + f"客户：第{i}次\n"
        _upload(
            client,
            headers,
            text.encode(),
            f"{i}.txt",
            stage=stage,
            visit_date=f"2026-11-1{i}",
            customer=f"客户{i}",
        )
    body = client.get("/api/v1/activities?stage=diagnose", headers=headers).json
    assert body["total"] == 2 and {i["stage"] for i in body["items"]} == {"diagnose"}
    body = client.get("/api/v1/activities?per_page=1&page=2", headers=headers).json
    assert body["total"] == 3 and len(body["items"]) == 1 and body["items"][0]["visit_date"] == "2026-11-11"
    body = client.get("/api/v1/activities?date_from=2026-11-11&customer=客户2", headers=headers).json
    assert [i["customer"] for i in body["items"]] == ["客户2"]


def test_openapi_document_describes_the_upload(client):
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/api/v1/activities"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"202", "409", "413", "415", "422"} <= set(post["responses"])
