"""Drill sessions through the API: start, answer by text, scores with hits and missed points, the
customer's follow-ups over several turns, authorization, bad input, and the radar feed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coachsvc.db.drills import DrillSession
from tests import factories

SCENARIO = "budget-used-up"
STRONG = (
    "理解。想先确认一下，明年的预算一般几月份开始编、什么时候批下来？每晚一个月上线，返工和库存的损失"
    "大概就是几十万。如果明年初能立项，今年可以只付一小部分首款，剩下的分期放到明年的预算里。"
)


@pytest.fixture
def new_hire(session, team):
    return factories.make_user(session, "new_hire", team)


def start(client, headers, scenario=SCENARIO):
    resp = client.post("/api/v1/drills/sessions", json={"scenario_id": scenario}, headers=headers)
    assert resp.status_code == 201, resp.json
    return resp.json


def answer(client, headers, drill_id, text):
    return client.post(f"/api/v1/drills/sessions/{drill_id}/answers", json={"text": text}, headers=headers)


def test_scenarios_are_listed_with_their_key_points(api_client, new_hire):
    client, headers = api_client(new_hire)
    body = client.get("/api/v1/drills/scenarios", headers=headers).json
    assert len(body["items"]) >= 20
    budget = next(s for s in body["items"] if s["id"] == SCENARIO)
    assert budget["category"] == "budget" and budget["category_label"] == "预算不足"
    assert {p["id"] for p in budget["key_points"]} >= {"confirm_timing", "instalments"}
    assert body["errors"] == []  # new hires are not shown rejected files; there are none anyway


def test_new_hire_starts_a_drill_and_the_customer_opens(api_client, new_hire):
    client, headers = api_client(new_hire)
    drill = start(client, headers)
    lines = {
        "方案是不错，但是今年的预算已经用完了，没钱了。",
        "今年没有这笔预算了，等明年再说吧。",
        "预算早就分配完了，现在申请不下来。",
    }
    assert drill["status"] == "active" and drill["customer_line"] in lines
    assert drill["scenario"]["title"] == "今年预算已经用完了"
    assert drill["turns"] == [] and all(not p["hit"] for p in drill["key_points"])


def test_a_strong_text_answer_scores_high_and_names_the_missed_point(api_client, new_hire):
    client, headers = api_client(new_hire)
    drill = start(client, headers)
    resp = answer(client, headers, drill["id"], STRONG)
    assert resp.status_code == 200, resp.json
    turn = resp.json
    assert turn["status"] == "scored" and turn["score"] >= 60
    assert {p["id"] for p in turn["hits"]} >= {"confirm_timing", "cost_of_delay", "instalments"}
    assert [p["id"] for p in turn["missed"]] == ["budget_source"]
    # the virtual customer presses on the missed point
    assert turn["follow_up"] == "其他部门的钱我可调不动。"
    again = client.get(f"/api/v1/drills/sessions/{drill['id']}", headers=headers).json
    assert again["customer_line"] == turn["follow_up"] and again["status"] == "active"
    assert again["score"] == turn["session_score"]


def test_a_weak_answer_scores_lower_and_the_customer_follows_up(api_client, new_hire):
    client, headers = api_client(new_hire)
    drill = start(client, headers)
    weak = answer(client, headers, drill["id"], "好的，那您有预算了再联系我吧。").json
    strong_drill = start(client, headers)
    strong = answer(client, headers, strong_drill["id"], STRONG).json
    assert weak["score"] < strong["score"]
    assert weak["missed"] and weak["follow_up"]
    assert {p["id"] for p in weak["pitfalls"]} == {"give_up"}


def test_off_topic_answer_is_flagged_and_scores_near_zero(api_client, new_hire):
    client, headers = api_client(new_hire)
    drill = start(client, headers)
    turn = answer(client, headers, drill["id"], "王总，听说您最近去钓鱼了，钓到大鱼了吗？").json
    assert turn["off_topic"] is True and turn["score"] < 10
    assert turn["follow_up"] == "你说的这些跟我的问题有什么关系？"


def test_drill_runs_several_turns_then_finishes(api_client, new_hire):
    client, headers = api_client(new_hire)
    drill = start(client, headers)
    first = answer(client, headers, drill["id"], "明年的预算几月份开始报？").json
    assert "confirm_timing" in {p["id"] for p in first["hits"]}
    second = answer(client, headers, drill["id"], "项目可以分期付款，今年只付首期的一小部分。").json
    # later turns are scored on the points still open only
    assert "confirm_timing" not in {p["id"] for p in second["hits"] + second["missed"]}
    assert "instalments" in {p["id"] for p in second["hits"]}
    third = answer(client, headers, drill["id"], "这个项目能不能走生产部门的降本专项资金？").json
    state = client.get(f"/api/v1/drills/sessions/{drill['id']}", headers=headers).json
    assert [t["idx"] for t in state["turns"]] == [0, 1, 2]
    assert state["status"] == "finished" and third["follow_up"] is None
    assert state["score"] >= first["session_score"]
    late = answer(client, headers, drill["id"], "还有一点")
    assert late.status_code == 409 and late.json["error"] == "drill_finished"


def test_answer_validation_errors_are_json(api_client, new_hire):
    client, headers = api_client(new_hire)
    drill = start(client, headers)
    empty = answer(client, headers, drill["id"], "   ")
    assert empty.status_code == 422 and empty.json["error"] == "empty_answer"
    too_long = answer(client, headers, drill["id"], "价" * 2001)
    assert too_long.status_code == 422 and too_long.json["error"] == "invalid_input"
    missing = client.post(f"/api/v1/drills/sessions/{drill['id']}/answers", json={}, headers=headers)
    assert missing.status_code == 422 and missing.json["error"] == "invalid_input"
    unknown = client.post("/api/v1/drills/sessions", json={"scenario_id": "nope"}, headers=headers)
    assert unknown.status_code == 404 and unknown.json["error"] == "unknown_scenario"


def test_a_rep_cannot_see_or_answer_another_users_drill(api_client, new_hire, other_rep, trainer, session):
    client, headers = api_client(new_hire)
    drill = start(client, headers)
    answer(client, headers, drill["id"], STRONG)
    other, other_headers = api_client(other_rep)
    assert other.get(f"/api/v1/drills/sessions/{drill['id']}", headers=other_headers).status_code == 404
    assert answer(other, other_headers, drill["id"], STRONG).status_code == 404
    assert other.get("/api/v1/drills/sessions", headers=other_headers).json == []
    # the trainer of the team sees it but cannot answer for the new hire
    coach, coach_headers = api_client(trainer)
    seen = coach.get(f"/api/v1/drills/sessions/{drill['id']}", headers=coach_headers)
    assert seen.status_code == 200 and len(seen.json["turns"]) == 1
    assert answer(coach, coach_headers, drill["id"], STRONG).status_code == 403
    outsider = factories.make_user(session, "trainer", factories.make_team(session))
    far, far_headers = api_client(outsider)
    assert far.get(f"/api/v1/drills/sessions/{drill['id']}", headers=far_headers).status_code == 404


def test_unauthenticated_requests_are_refused(client):
    assert client.get("/api/v1/drills/scenarios").status_code == 401
    assert client.post("/api/v1/drills/sessions", json={"scenario_id": SCENARIO}).status_code == 401


def test_a_scored_answer_feeds_the_radar(api_client, new_hire, session, app):
    from coachsvc.db.radar import DrillScore

    client, headers = api_client(new_hire)
    drill = start(client, headers)
    turn = answer(client, headers, drill["id"], STRONG).json
    rows = session.scalars(select(DrillScore).where(DrillScore.user_id == new_hire.id)).all()
    assert {r.behaviour for r in rows} == {"needs_discovery", "objection_handling", "price_negotiation"}
    assert all(r.score == turn["session_score"] and r.ref == f"drill-session:{drill['id']}" for r in rows)
    answer(client, headers, drill["id"], "这个项目可以从生产降本专项里出钱吗？")
    session.expire_all()
    rows = session.scalars(select(DrillScore).where(DrillScore.user_id == new_hire.id)).all()
    assert len(rows) == 3  # one entry per behaviour and session, updated as the drill goes on
    final = session.get(DrillSession, drill["id"])
    assert all(r.score == final.score for r in rows)


def test_concurrent_answers_to_one_drill_never_break_it(api_client, new_hire, app):
    import threading

    client, headers = api_client(new_hire)
    drill = start(client, headers)
    statuses: list[int] = []

    def send():
        resp = answer(app.test_client(), headers, drill["id"], "明年的预算几月份开始报？")
        statuses.append(resp.status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {200, 409} and 200 in statuses
    state = client.get(f"/api/v1/drills/sessions/{drill['id']}", headers=headers).json
    assert [t["idx"] for t in state["turns"]] == list(range(len(state["turns"])))
    assert len(state["turns"]) == statuses.count(200) <= 3
