"""Mentoring sessions through the API: logging with a recording and annotations, the standard and
what it reports missing, review by the trainer, authorization, and replay with HTTP Range."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests import factories
from tests.audio import corrupt_wav
from tests.credits_support import ANNOTATIONS, api_log_session, recording


@pytest.fixture
def new_hire(session, team):
    return factories.make_user(session, "new_hire", team)


def _files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_mentor_logs_a_session_with_recording_and_annotations(api_client, rep, new_hire):
    client, headers = api_client(rep)
    resp = api_log_session(client, headers, new_hire)
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["status"] == "draft"
    assert body["mentor_id"] == rep.id and body["mentee_id"] == new_hire.id
    assert [a["text"] for a in body["annotations"]] == [a["text"] for a in ANNOTATIONS]
    assert body["annotations"][2]["behaviour"] == "objection_handling"
    assert body["recording_seconds"] == pytest.approx(3.0, abs=0.05)
    standard = body["standard"]
    assert standard["ready_to_submit"] is True and standard["met"] is False
    assert [m["code"] for m in standard["missing"]] == ["approval"]
    assert standard["missing"][0]["detail"] == "尚未提交审核"


def test_the_standard_says_exactly_what_is_missing(api_client, rep, new_hire):
    client, headers = api_client(rep)
    resp = api_log_session(client, headers, new_hire, annotations=ANNOTATIONS[:1], with_recording=False)
    assert resp.status_code == 201
    missing = {m["code"]: m["detail"] for m in resp.json["standard"]["missing"]}
    assert missing["recording"] == "缺少带教录音：请上传本次带教的录音"
    assert missing["annotations"] == "已有 1 条，还差 2 条要点标注"

    submit = client.post(f"/api/v1/mentoring/sessions/{resp.json['id']}/submit", headers=headers)
    assert submit.status_code == 422
    assert submit.json["error"] == "standard_not_met"
    assert [m["code"] for m in submit.json["missing"]] == ["recording", "annotations"]
    assert "还差 2 条要点标注" in submit.json["message"]


def test_trainer_approval_awards_the_credits_once(app, api_client, rep, new_hire, trainer):
    client, headers = api_client(rep)
    sid = api_log_session(client, headers, new_hire).json["id"]
    assert (
        client.post(f"/api/v1/mentoring/sessions/{sid}/submit", headers=headers).json["status"] == "submitted"
    )

    tclient, theaders = api_client(trainer)
    approved = tclient.post(
        f"/api/v1/mentoring/sessions/{sid}/approve", json={"comment": "要点清楚"}, headers=theaders
    )
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and approved.json["standard"]["met"] is True
    again = tclient.post(f"/api/v1/mentoring/sessions/{sid}/approve", json={}, headers=theaders)
    assert again.status_code == 409 and again.json["error"] == "not_submitted"

    balance = client.get("/api/v1/credits/balance", headers=headers).json
    assert balance["balance"] == 10  # MENTORING_CREDITS_PER_SESSION
    entries = client.get("/api/v1/credits/entries", headers=headers).json["items"]
    assert [(e["kind"], e["amount"], e["session_id"], e["actor_id"]) for e in entries] == [
        ("award", 10, sid, trainer.id)
    ]


def test_configured_standard_and_credits_apply(app, api_client, rep, new_hire, trainer):
    app.config.update(MENTORING_MIN_ANNOTATIONS=4, MENTORING_CREDITS_PER_SESSION=7)
    client, headers = api_client(rep)
    sid = api_log_session(client, headers, new_hire).json["id"]
    submit = client.post(f"/api/v1/mentoring/sessions/{sid}/submit", headers=headers)
    assert submit.status_code == 422 and "还差 1 条要点标注" in submit.json["message"]
    added = client.post(
        f"/api/v1/mentoring/sessions/{sid}/annotations",
        json={"at_seconds": 2.5, "text": "约定下次拜访时间", "behaviour": "next_step_commitment"},
        headers=headers,
    )
    assert added.status_code == 201
    assert client.post(f"/api/v1/mentoring/sessions/{sid}/submit", headers=headers).status_code == 200
    tclient, theaders = api_client(trainer)
    assert (
        tclient.post(f"/api/v1/mentoring/sessions/{sid}/approve", json={}, headers=theaders).status_code
        == 200
    )
    assert client.get("/api/v1/credits/balance", headers=headers).json["balance"] == 7


def test_without_required_approval_a_complete_session_earns_on_submit(app, api_client, rep, new_hire):
    app.config.update(MENTORING_REQUIRE_APPROVAL=False)
    client, headers = api_client(rep)
    sid = api_log_session(client, headers, new_hire).json["id"]
    resp = client.post(f"/api/v1/mentoring/sessions/{sid}/submit", headers=headers)
    assert resp.json["status"] == "approved"
    assert client.get("/api/v1/credits/balance", headers=headers).json["balance"] == 10


def test_rejected_session_shows_the_reason_and_can_be_fixed_and_resubmitted(
    api_client, rep, new_hire, trainer
):
    client, headers = api_client(rep)
    sid = api_log_session(client, headers, new_hire).json["id"]
    client.post(f"/api/v1/mentoring/sessions/{sid}/submit", headers=headers)
    tclient, theaders = api_client(trainer)
    no_reason = tclient.post(f"/api/v1/mentoring/sessions/{sid}/reject", json={}, headers=theaders)
    assert no_reason.status_code == 422 and no_reason.json["error"] == "comment_required"
    rejected = tclient.post(
        f"/api/v1/mentoring/sessions/{sid}/reject", json={"comment": "标注太笼统"}, headers=theaders
    )
    assert rejected.json["status"] == "rejected"
    missing = client.get(f"/api/v1/mentoring/sessions/{sid}", headers=headers).json["standard"]["missing"]
    assert missing[0]["detail"] == "审核未通过：标注太笼统（修改后可再次提交）"

    added = client.post(
        f"/api/v1/mentoring/sessions/{sid}/annotations",
        json={"at_seconds": 1, "text": "补充：先确认采购时间"},
        headers=headers,
    )
    assert added.status_code == 201
    assert (
        client.post(f"/api/v1/mentoring/sessions/{sid}/submit", headers=headers).json["status"] == "submitted"
    )
    assert client.get("/api/v1/credits/balance", headers=headers).json["balance"] == 0


def test_submitted_session_cannot_be_edited(api_client, rep, new_hire):
    client, headers = api_client(rep)
    sid = api_log_session(client, headers, new_hire).json["id"]
    client.post(f"/api/v1/mentoring/sessions/{sid}/submit", headers=headers)
    resp = client.post(
        f"/api/v1/mentoring/sessions/{sid}/annotations", json={"at_seconds": 1, "text": "x"}, headers=headers
    )
    assert resp.status_code == 409 and resp.json["error"] == "not_editable"


def test_who_may_see_and_review_a_session(session, api_client, rep, other_rep, new_hire, trainer, admin):
    client, headers = api_client(rep)
    sid = api_log_session(client, headers, new_hire).json["id"]
    client.post(f"/api/v1/mentoring/sessions/{sid}/submit", headers=headers)

    # another rep of the team: not theirs, as if it did not exist
    oclient, oheaders = api_client(other_rep)
    assert oclient.get(f"/api/v1/mentoring/sessions/{sid}", headers=oheaders).status_code == 404
    assert (
        oclient.post(f"/api/v1/mentoring/sessions/{sid}/approve", json={}, headers=oheaders).status_code
        == 404
    )
    # the mentee sees it (to replay it) but cannot approve it; neither can the mentor
    mclient, mheaders = api_client(new_hire)
    assert mclient.get(f"/api/v1/mentoring/sessions/{sid}", headers=mheaders).status_code == 200
    assert (
        mclient.post(f"/api/v1/mentoring/sessions/{sid}/approve", json={}, headers=mheaders).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/mentoring/sessions/{sid}/approve", json={}, headers=headers).status_code == 403
    )
    # a trainer of another team does not see it
    stranger = factories.make_user(session, "trainer", factories.make_team(session))
    sclient, sheaders = api_client(stranger)
    assert sclient.get(f"/api/v1/mentoring/sessions/{sid}", headers=sheaders).status_code == 404
    assert sclient.get("/api/v1/mentoring/sessions", headers=sheaders).json == []
    # the team's trainer and an admin do
    tclient, theaders = api_client(trainer)
    assert [s["id"] for s in tclient.get("/api/v1/mentoring/sessions", headers=theaders).json] == [sid]
    aclient, aheaders = api_client(admin)
    assert (
        aclient.post(f"/api/v1/mentoring/sessions/{sid}/approve", json={}, headers=aheaders).status_code
        == 200
    )


def test_only_mentors_log_sessions_with_a_mentee_of_their_team(session, api_client, rep, new_hire, trainer):
    tclient, theaders = api_client(trainer)
    resp = api_log_session(tclient, theaders, new_hire)
    assert resp.status_code == 403 and resp.json["error"] == "not_a_mentor"
    outsider = factories.make_user(session, "new_hire", factories.make_team(session))
    client, headers = api_client(rep)
    resp = api_log_session(client, headers, outsider)
    assert resp.status_code == 422 and resp.json["error"] == "invalid_mentee"
    resp = api_log_session(client, headers, rep)
    assert resp.status_code == 422 and resp.json["error"] == "invalid_mentee"
    mentees = client.get("/api/v1/mentoring/mentees", headers=headers).json
    assert [m["id"] for m in mentees] == [new_hire.id]


def test_recording_replays_with_http_range(api_client, rep, new_hire):
    client, headers = api_client(rep)
    body = api_log_session(client, headers, new_hire).json
    with client.get(body["recording_url"], headers=headers) as full:
        assert full.status_code == 200 and full.data == recording()
        assert full.headers["Accept-Ranges"] == "bytes" and full.mimetype.startswith("audio/")
    with client.get(body["recording_url"], headers={**headers, "Range": "bytes=100-199"}) as part:
        assert part.status_code == 206
        assert part.headers["Content-Range"] == f"bytes 100-199/{len(full.data)}"
        assert part.data == full.data[100:200]


def test_bad_recordings_are_refused_and_leave_nothing(app, session, api_client, rep, new_hire):
    client, headers = api_client(rep)
    data = {"mentee_id": str(new_hire.id), "session_date": "2026-11-20", "topic": "t"}
    bad = client.post(
        "/api/v1/mentoring/sessions",
        data={**data, "file": (io.BytesIO(corrupt_wav()), "broken.wav")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and bad.json["error"] == "corrupt_audio"
    text = client.post(
        "/api/v1/mentoring/sessions",
        data={**data, "file": (io.BytesIO(b"hello"), "notes.txt")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert text.status_code == 415 and text.json["error"] == "unsupported_type"
    assert _files(app) == []
    assert client.get("/api/v1/mentoring/sessions", headers=headers).json == []

    assert api_log_session(client, headers, new_hire).status_code == 201
    dup = api_log_session(client, headers, new_hire)
    assert dup.status_code == 409 and dup.json["error"] == "duplicate_recording"
    assert len(_files(app)) == 1
    assert len(client.get("/api/v1/mentoring/sessions", headers=headers).json) == 1


def test_annotations_are_checked(app, api_client, rep, new_hire):
    client, headers = api_client(rep)
    late = [{"at_seconds": 99, "text": "录音之外的时间点"}]
    resp = api_log_session(client, headers, new_hire, annotations=late)
    assert resp.status_code == 422 and resp.json["error"] == "invalid_timestamp"
    assert _files(app) == []  # the recording checked before the annotations is not left behind
    unknown = [{"at_seconds": 1, "text": "x", "behaviour": "charisma"}]
    resp = api_log_session(client, headers, new_hire, annotations=unknown)
    assert resp.status_code == 422 and resp.json["error"] == "invalid_annotation"
    sid = api_log_session(client, headers, new_hire).json["id"]
    first = client.get(f"/api/v1/mentoring/sessions/{sid}", headers=headers).json["annotations"][0]["id"]
    assert (
        client.delete(f"/api/v1/mentoring/sessions/{sid}/annotations/{first}", headers=headers).status_code
        == 204
    )
    assert len(client.get(f"/api/v1/mentoring/sessions/{sid}", headers=headers).json["annotations"]) == 2


def test_the_openapi_document_describes_the_credit_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/mentoring/sessions",
        "/api/v1/mentoring/sessions/{session_id}/recording",
        "/api/v1/credits/redemptions",
        "/api/v1/credits/export.csv",
        "/api/v1/credits/hr-deliveries",
    ):
        assert path in paths
