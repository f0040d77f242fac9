"""Through the real pipeline: an uploaded chat transcript is parsed, analysed (coachsvc/analysis) and
scored by the worker; the per-call scores, the aggregates and the weakness pushes follow."""

import io
from pathlib import Path

from sqlalchemy import select

from coachsvc.db.radar import CourseAssignment, RadarCallDaily, RadarCallScore
from tests import factories
from tests import radar_factories as rf

CALLS = Path(__file__).resolve().parent.parent / "coachsvc" / "demo" / "radar_calls"


def upload(api_client, user, name):
    client, headers = api_client(user)
    data = {"file": (io.BytesIO((CALLS / name).read_bytes()), name), "stage": "diagnose", "customer": name}
    resp = client.post("/api/v1/activities", data=data, headers=headers, content_type="multipart/form-data")
    assert resp.status_code == 202, resp.get_json()
    return resp.get_json()["id"]


def test_worker_scores_analysed_calls_and_pushes_the_weak_rep(
    app, session, api_client, worker, team, trainer
):
    good_rep, other_good, weak_rep = (factories.make_user(session, "rep", team) for _ in range(3))
    rf.make_course(session, "倾听的艺术", "listening")
    rf.make_slot(session, trainer, behaviour="listening")
    good = upload(api_client, good_rep, "good_cangchu.txt")
    upload(api_client, other_good, "good_lengleng.txt")
    poor = upload(api_client, weak_rep, "poor_cangchu.txt")
    worker()

    session.expire_all()
    scores = {s.activity_id: s for s in session.scalars(select(RadarCallScore))}
    assert set(scores) >= {good, poor}
    assert scores[good].scores["listening"] > scores[poor].scores["listening"]
    talk = next(c for c in scores[poor].checks["listening"] if c["check"] == "talk_below_drop")
    assert talk["met"] is False and talk["evidence"] and talk["evidence"][0]["party"] == "rep"
    daily = session.get(RadarCallDaily, (scores[poor].day, weak_rep.id))
    assert daily.calls == 1 and daily.listening_n == 1

    client, headers = api_client(weak_rep)
    radar_body = client.get(f"/api/v1/radar/reps/{weak_rep.id}?window=30", headers=headers).get_json()
    listening = next(a for a in radar_body["behaviours"] if a["id"] == "listening")
    assert listening["sources"]["calls"]["n"] == 1 and listening["weak"] is True
    assignments = session.scalars(
        select(CourseAssignment).where(CourseAssignment.user_id == weak_rep.id)
    ).all()
    assert [a.behaviour for a in assignments] == ["listening"]


def test_rerunning_a_record_does_not_double_its_aggregates(app, session, api_client, worker, rep):
    from coachsvc import radar

    record_id = upload(api_client, rep, "good_lingshou.txt")
    worker()
    session.expire_all()
    day = session.get(RadarCallScore, record_id).day
    with app.app_context():
        radar.update_for_record(session, record_id)
        session.commit()
    session.expire_all()
    assert session.get(RadarCallDaily, (day, rep.id)).calls == 1
