"""The worker analyses every uploaded transcript; the record page and the API show the results."""

import io
from pathlib import Path

from sqlalchemy import func, select

from coachsvc.db.models import ActivityRecord, DecisionRole, NextStep, Objection

VISIT = Path("/work/shared/fixtures/audio/visit.txt")
FIXTURE = Path(__file__).parent / "data" / "visit.txt"


def _visit_text() -> str:
    return (VISIT if VISIT.exists() else FIXTURE).read_text(encoding="utf-8")


def _upload(client, headers, text: str, **fields):
    form = {"file": (io.BytesIO(text.encode()), "visit.txt"), "visit_date": "2026-11-18", **fields}
    return client.post("/api/v1/activities", data=form, headers=headers, content_type="multipart/form-data")


def test_uploaded_chat_gets_objections_roles_next_steps_and_gaps(app, api_client, login, rep, worker):
    client, headers = api_client(rep)
    rid = _upload(client, headers, _visit_text(), stage="negotiate").json["id"]
    worker()
    body = client.get(f"/api/v1/activities/{rid}", headers=headers).json
    assert body["status"] == "done"
    assert {o["category"] for o in body["objections"]} == {"price", "budget"}
    assert {(r["person"], r["role"]) for r in body["roles"]} == {
        ("张总", "decision_maker"),
        ("刘经理", "procurement"),
        ("财务总监", "finance"),
    }
    assert sorted(n["due"] for n in body["next_steps"]) == ["2026-11-23", "2026-11-24"]
    assert [g["topic"] for g in body["coverage_gaps"]] == ["delivery_time", "payment_terms"]
    assert body["signals"]["dated_next_step"] is True and body["signals"]["decision_maker_identified"] is True

    html = login(rep).get(f"/activities/{rid}").get_data(as_text=True)
    assert "价格异议" in html and "预算不足" in html and "决策者/拍板人" in html
    assert "全程未提及交付周期" in html and "2026-11-23" in html
    assert 'class="seg party-customer hl hl-obj hl-obj-price hl-obj-budget"' in html


def test_reanalysis_replaces_results(app, api_client, rep, worker, session):
    from coachsvc.jobs import analyze_record

    client, headers = api_client(rep)
    rid = _upload(client, headers, _visit_text()).json["id"]
    worker()
    with app.app_context():
        from coachsvc.db import session_scope

        with session_scope() as s:
            analyze_record(s, s.get(ActivityRecord, rid))
        with session_scope() as s:
            analyze_record(s, s.get(ActivityRecord, rid))
    for model, n in ((Objection, 2), (DecisionRole, 3), (NextStep, 2)):
        assert session.scalar(select(func.count()).where(model.activity_id == rid)) == n
    record = session.get(ActivityRecord, rid)
    assert [g["topic"] for g in record.coverage_gaps] == ["timeline", "delivery_time", "payment_terms"]


def test_other_reps_cannot_see_the_analysis(app, api_client, rep, other_rep, worker):
    client, headers = api_client(rep)
    rid = _upload(client, headers, _visit_text()).json["id"]
    worker()
    other, other_headers = api_client(other_rep)
    assert other.get(f"/api/v1/activities/{rid}", headers=other_headers).status_code == 404


def test_worker_preloads_the_classifiers():
    from coachsvc.preload import PRELOADERS

    assert "coachsvc.analysis:preload" in PRELOADERS
