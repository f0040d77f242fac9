"""Course library, expert slots and bookings, and the weakness rule's pushes."""

import datetime as dt

from sqlalchemy import select

from coachsvc import coaching, radar
from coachsvc.db.radar import CourseAssignment, ExpertSlot, SlotOffer
from tests import factories
from tests import radar_factories as rf


def analysed(app, session, rep, signals):
    with app.app_context():
        rec = rf.make_record(session, rep, signals)
        radar.update_for_record(session, rec.id)
        session.commit()


def test_trainer_manages_the_course_library(session, api_client, trainer, rep):
    client, headers = api_client(trainer)
    body = {"title": "倾听的艺术", "behaviours": ["listening", "questioning"], "duration_minutes": 40}
    created = client.post("/api/v1/courses", json=body, headers=headers)
    assert created.status_code == 201
    course = created.get_json()
    assert course["behaviours"] == ["listening", "questioning"]
    assert course["behaviour_labels"] == ["倾听与确认", "提问技巧"]
    updated = client.put(
        f"/api/v1/courses/{course['id']}", json={**body, "behaviours": ["listening"]}, headers=headers
    ).get_json()
    assert updated["behaviours"] == ["listening"]
    listed = client.get("/api/v1/courses?behaviour=listening", headers=headers).get_json()
    assert [c["id"] for c in listed] == [course["id"]]
    assert client.get("/api/v1/courses?behaviour=rapport", headers=headers).get_json() == []
    assert client.delete(f"/api/v1/courses/{course['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/courses/{course['id']}", headers=headers).status_code == 404


def test_reps_read_but_cannot_edit_courses(session, api_client, rep):
    client, headers = api_client(rep)
    resp = client.post("/api/v1/courses", json={"title": "x", "behaviours": ["rapport"]}, headers=headers)
    assert resp.status_code == 403 and resp.get_json()["error"] == "forbidden"
    assert client.get("/api/v1/courses", headers=headers).status_code == 200


def test_course_needs_known_behaviours(session, api_client, trainer):
    client, headers = api_client(trainer)
    for behaviours in ([], ["charisma"]):
        resp = client.post("/api/v1/courses", json={"title": "x", "behaviours": behaviours}, headers=headers)
        assert resp.status_code == 422


def test_weak_rep_gets_the_course_assigned_and_a_slot_offered(app, session, api_client, team, trainer):
    strong = [factories.make_user(session, "rep", team) for _ in range(2)]
    weak = factories.make_user(session, "rep", team)
    course = rf.make_course(session, "倾听的艺术", "listening")
    rf.make_course(session, "开场破冰", "rapport")
    slot = rf.make_slot(session, trainer, capacity=2, behaviour="listening")
    for r in strong:
        analysed(app, session, r, rf.GOOD_SIGNALS)
    analysed(
        app,
        session,
        weak,
        {**rf.GOOD_SIGNALS, "talk_ratio": 0.8, "longest_rep_monologue": 300, "confirm_turns": 0},
    )  # weak on listening only
    session.expire_all()
    assignments = session.scalars(select(CourseAssignment).where(CourseAssignment.user_id == weak.id)).all()
    assert [(a.course_id, a.behaviour, a.source) for a in assignments] == [(course.id, "listening", "rule")]
    assert "倾听与确认 0 分，低于团队均值" in assignments[0].reason
    offers = session.scalars(select(SlotOffer).where(SlotOffer.user_id == weak.id)).all()
    assert [(o.behaviour, o.slot_id, o.status) for o in offers] == [("listening", slot.id, "offered")]
    for r in strong:
        assert session.scalars(select(CourseAssignment).where(CourseAssignment.user_id == r.id)).all() == []
    # applying the rule again pushes nothing new
    client, headers = api_client(trainer)
    assert client.post(f"/api/v1/radar/teams/{team.id}/weakness-rule", headers=headers).get_json() == {
        "pushed": []
    }


def test_rep_sees_and_books_the_offered_slot(app, session, api_client, team, trainer):
    good, weak = factories.make_user(session, "rep", team), factories.make_user(session, "rep", team)
    rf.make_course(session, "倾听的艺术", "listening")
    slot = rf.make_slot(session, trainer, behaviour="listening")
    analysed(app, session, good, rf.GOOD_SIGNALS)
    analysed(app, session, weak, {**rf.GOOD_SIGNALS, "talk_ratio": 0.8, "longest_rep_monologue": 300})
    client, headers = api_client(weak)
    mine = client.get(f"/api/v1/coaching/users/{weak.id}", headers=headers).get_json()
    assert mine["assignments"][0]["course"]["title"] == "倾听的艺术"
    assert mine["offers"][0]["slot"]["id"] == slot.id and mine["offers"][0]["status"] == "offered"
    booked = client.post(f"/api/v1/slots/{slot.id}/bookings", json={}, headers=headers)
    assert booked.status_code == 201 and booked.get_json()["slot"]["booked"] == 1
    mine = client.get(f"/api/v1/coaching/users/{weak.id}", headers=headers).get_json()
    assert mine["offers"][0]["status"] == "booked" and len(mine["bookings"]) == 1
    other, other_headers = api_client(good)
    assert other.get(f"/api/v1/coaching/users/{weak.id}", headers=other_headers).status_code == 404


def test_booking_respects_capacity_and_one_seat_per_rep(session, api_client, team, trainer, rep, other_rep):
    slot = rf.make_slot(session, trainer, capacity=1)
    client, headers = api_client(rep)
    assert client.post(f"/api/v1/slots/{slot.id}/bookings", json={}, headers=headers).status_code == 201
    again = client.post(f"/api/v1/slots/{slot.id}/bookings", json={}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"] == "slot_full"
    other, other_headers = api_client(other_rep)
    full = other.post(f"/api/v1/slots/{slot.id}/bookings", json={}, headers=other_headers)
    assert full.status_code == 409 and full.get_json()["error"] == "slot_full"
    roomy = rf.make_slot(session, trainer, capacity=3)
    assert client.post(f"/api/v1/slots/{roomy.id}/bookings", json={}, headers=headers).status_code == 201
    dup = client.post(f"/api/v1/slots/{roomy.id}/bookings", json={}, headers=headers)
    assert dup.status_code == 409 and dup.get_json()["error"] == "already_booked"
    session.expire_all()
    assert session.get(ExpertSlot, roomy.id).booked == 1  # the refused duplicate took no seat


def test_cancel_frees_the_seat(session, api_client, trainer, rep, other_rep):
    slot = rf.make_slot(session, trainer, capacity=1)
    client, headers = api_client(rep)
    booking = client.post(f"/api/v1/slots/{slot.id}/bookings", json={}, headers=headers).get_json()
    other, other_headers = api_client(other_rep)
    assert other.delete(f"/api/v1/bookings/{booking['id']}", headers=other_headers).status_code == 404
    assert client.delete(f"/api/v1/bookings/{booking['id']}", headers=headers).status_code == 204
    assert other.post(f"/api/v1/slots/{slot.id}/bookings", json={}, headers=other_headers).status_code == 201


def test_past_and_missing_slots_cannot_be_booked(session, api_client, trainer, rep):
    past = rf.make_slot(session, trainer, days_ahead=-1)
    client, headers = api_client(rep)
    assert (
        client.post(f"/api/v1/slots/{past.id}/bookings", json={}, headers=headers).get_json()["error"]
        == "slot_past"
    )
    assert client.post("/api/v1/slots/999999/bookings", json={}, headers=headers).status_code == 404


def test_trainer_opens_slots_reps_cannot(session, api_client, trainer, rep):
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0).isoformat()
    body = {"expert_id": trainer.id, "starts_at": starts, "capacity": 2, "behaviour": "listening"}
    client, headers = api_client(trainer)
    created = client.post("/api/v1/slots", json=body, headers=headers)
    assert created.status_code == 201 and created.get_json()["remaining"] == 2
    rep_client, rep_headers = api_client(rep)
    assert rep_client.post("/api/v1/slots", json=body, headers=rep_headers).status_code == 403
    listed = rep_client.get("/api/v1/slots?behaviour=listening", headers=rep_headers).get_json()
    assert [s["id"] for s in listed] == [created.get_json()["id"]]


def test_manual_assignment_and_completion(session, api_client, trainer, rep):
    course = rf.make_course(session, "价值呈现", "value_articulation")
    client, headers = api_client(trainer)
    resp = client.post(
        f"/api/v1/coaching/users/{rep.id}/assignments", json={"course_id": course.id}, headers=headers
    )
    assert resp.status_code == 201 and resp.get_json()["source"] == "manual"
    dup = client.post(
        f"/api/v1/coaching/users/{rep.id}/assignments", json={"course_id": course.id}, headers=headers
    )
    assert dup.status_code == 409
    rep_client, rep_headers = api_client(rep)
    done = rep_client.patch(
        f"/api/v1/coaching/assignments/{resp.get_json()['id']}",
        json={"status": "completed"},
        headers=rep_headers,
    )
    assert done.get_json()["status"] == "completed"


def test_offer_without_a_slot_gets_one_when_a_slot_opens(app, session, team, trainer):
    good, weak = factories.make_user(session, "rep", team), factories.make_user(session, "rep", team)
    analysed(app, session, good, rf.GOOD_SIGNALS)
    analysed(app, session, weak, {**rf.GOOD_SIGNALS, "talk_ratio": 0.8, "longest_rep_monologue": 300})
    offer = session.scalar(select(SlotOffer).where(SlotOffer.user_id == weak.id))
    assert offer.slot_id is None
    slot = rf.make_slot(session, trainer, behaviour="listening")
    coaching.apply_weakness_rule(session, team.id)
    session.commit()
    session.refresh(offer)
    assert offer.slot_id == slot.id
