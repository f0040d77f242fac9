"""Radar, coaching and rating pages render for whoever may see them and refuse the others."""

import datetime as dt

from sqlalchemy import select

from coachsvc import radar
from coachsvc.db.radar import Course, ExpertSlot
from tests import factories
from tests import radar_factories as rf


def test_rep_pages_and_their_limits(app, session, login, rep, other_rep):
    with app.app_context():
        rec = rf.make_record(session, rep, rf.POOR_SIGNALS)
        radar.update_for_record(session, rec.id)
        session.commit()
    client = login(rep)
    assert client.get("/radar").headers["Location"].endswith(f"/radar/reps/{rep.id}")
    page = client.get(f"/radar/reps/{rep.id}").get_data(as_text=True)
    assert 'id="radar-chart"' in page and "倾听与确认" in page
    evidence = client.get(f"/radar/reps/{rep.id}/behaviours/competitor_handling").get_data(as_text=True)
    assert rf.GOOD_SEGMENTS[6][1] in evidence  # the quoted segment
    assert client.get(f"/radar/reps/{other_rep.id}").status_code == 404
    assert client.get(f"/radar/reps/{other_rep.id}/behaviours/listening").status_code == 404
    assert client.get("/radar/heatmap").status_code == 403


def test_trainer_heatmap_page_shows_weak_cells(app, session, login, trainer, team):
    reps = [factories.make_user(session, "rep", team) for _ in range(3)]
    with app.app_context():
        for r, signals in zip(reps, (rf.GOOD_SIGNALS, rf.GOOD_SIGNALS, rf.POOR_SIGNALS), strict=True):
            radar.update_for_record(session, rf.make_record(session, r, signals).id)
        session.commit()
    client = login(trainer)
    assert client.get("/radar").headers["Location"].endswith("/radar/heatmap")
    page = client.get("/radar/heatmap?sort=listening&order=asc").get_data(as_text=True)
    assert page.count('class="cell weak"') >= 1
    assert page.index(f'data-rep="{reps[2].id}"') < page.index(f'data-rep="{reps[0].id}"')
    bad = client.get("/radar/heatmap?window=custom&from=2026-13-01").get_data(as_text=True)
    assert "时间窗无效" in bad


def test_course_and_slot_forms(session, login, trainer, rep):
    client = login(trainer)
    resp = client.post("/coaching/courses", data={"title": "倾听", "behaviours": ["listening"]})
    assert resp.status_code == 302
    course = session.scalar(select(Course).where(Course.title == "倾听"))
    assert course.behaviours == ["listening"]
    course_id = course.id
    client.post(
        f"/coaching/courses/{course_id}/edit", data={"title": "倾听2", "behaviours": ["listening", "rapport"]}
    )
    session.expire_all()
    assert session.get(Course, course_id).behaviours == ["listening", "rapport"]
    starts = (dt.datetime.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post("/coaching/slots", data={"expert_id": trainer.id, "starts_at": starts, "capacity": 2})
    assert session.scalar(select(ExpertSlot).where(ExpertSlot.expert_id == trainer.id)).capacity == 2
    rep_client = login(rep)
    assert (
        rep_client.post("/coaching/courses", data={"title": "x", "behaviours": ["rapport"]}).status_code
        == 403
    )
    assert "倾听2" in rep_client.get("/coaching").get_data(as_text=True)
    assert client.post(f"/coaching/courses/{course_id}/delete").status_code == 302
    session.expire_all()
    assert session.get(Course, course_id) is None


def test_rating_pages(session, login, rep, other_rep, trainer):
    client = login(trainer)
    assert "评价团队成员" in client.get("/ratings").get_data(as_text=True)
    resp = client.post("/ratings", data={"rep_id": rep.id, "score_listening": "4"}, follow_redirects=True)
    assert "已提交" in resp.get_data(as_text=True)
    peer = login(other_rep)
    page = peer.post("/ratings/links", data={"rep_id": rep.id})
    assert page.status_code == 404  # a peer cannot invite the rep's customers
    mine = login(rep).post("/ratings/links", data={"rep_id": rep.id}).get_data(as_text=True)
    assert "/rate/" in mine
