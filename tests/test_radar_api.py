"""Radar and heatmap API: blended scores beside the team mean, evidence per axis, windows, sorting,
and who may read what (a rep only their own radar, a trainer their team, an admin everyone)."""

import datetime as dt

from coachsvc import radar
from coachsvc.behaviours import BEHAVIOURS
from tests import factories
from tests import radar_factories as rf


def analysed(app, session, rep, signals, days_ago=0, **rows):
    with app.app_context():
        rec = rf.make_record(session, rep, signals, dt.date.today() - dt.timedelta(days=days_ago), **rows)
        radar.update_for_record(session, rec.id)
        session.commit()
    return rec


def test_rep_reads_own_radar_with_team_mean_and_sources(app, session, api_client, rep, other_rep):
    analysed(app, session, rep, rf.GOOD_SIGNALS, **rf.good_rows())
    analysed(app, session, other_rep, rf.POOR_SIGNALS)
    client, headers = api_client(rep)
    body = client.get(f"/api/v1/radar/reps/{rep.id}", headers=headers).get_json()
    axes = {a["id"]: a for a in body["behaviours"]}
    assert len(axes) == 12 and axes["listening"]["label"] == "倾听与确认"
    assert axes["listening"]["score"] == 100.0
    assert axes["listening"]["team_mean"] == 50.0  # (100 + 0) / 2
    assert axes["listening"]["sources"]["calls"] == {"score": 100.0, "n": 1}
    assert 0 < axes["listening"]["confidence"] < 1
    assert body["calls"] == 1 and body["team_size"] == 2


def test_rep_cannot_read_another_reps_radar_or_evidence(session, api_client, rep, other_rep):
    client, headers = api_client(rep)
    assert client.get(f"/api/v1/radar/reps/{other_rep.id}", headers=headers).status_code == 404
    resp = client.get(f"/api/v1/radar/reps/{other_rep.id}/behaviours/listening", headers=headers)
    assert resp.status_code == 404 and resp.get_json()["error"] == "not_found"


def test_trainer_reads_team_radar_not_other_teams(session, api_client, rep, trainer):
    stranger = factories.make_user(session, "rep", factories.make_team(session))
    client, headers = api_client(trainer)
    assert client.get(f"/api/v1/radar/reps/{rep.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/radar/reps/{stranger.id}", headers=headers).status_code == 404


def test_admin_reads_any_radar(session, api_client, admin, rep):
    client, headers = api_client(admin)
    assert client.get(f"/api/v1/radar/reps/{rep.id}", headers=headers).status_code == 200


def test_radar_requires_login(client, rep):
    resp = client.get(f"/api/v1/radar/reps/{rep.id}")
    assert resp.status_code == 401 and resp.get_json()["error"] == "unauthorized"


def test_axis_evidence_lists_calls_with_checks_and_quotes(app, session, api_client, rep):
    rec = analysed(app, session, rep, rf.POOR_SIGNALS)
    client, headers = api_client(rep)
    body = client.get(
        f"/api/v1/radar/reps/{rep.id}/behaviours/competitor_handling", headers=headers
    ).get_json()
    assert body["behaviour"] == {"id": "competitor_handling", "label": "竞品应对"}
    (call,) = body["calls"]
    assert call["activity_id"] == rec.id and call["score"] == 0.0
    disparage = next(c for c in call["checks"] if c["check"] == "no_disparaging")
    assert disparage["evidence"] == [{"idx": 6, "party": "rep", "text": rf.GOOD_SEGMENTS[6][1]}]
    assert client.get(f"/api/v1/radar/reps/{rep.id}/behaviours/charisma", headers=headers).status_code == 404


def test_call_scores_endpoint_is_scoped(app, session, api_client, rep, other_rep):
    rec = analysed(app, session, rep, rf.GOOD_SIGNALS)
    client, headers = api_client(rep)
    body = client.get(f"/api/v1/radar/calls/{rec.id}", headers=headers).get_json()
    assert [b["id"] for b in body["behaviours"]][0] == "rapport"
    other, other_headers = api_client(other_rep)
    assert other.get(f"/api/v1/radar/calls/{rec.id}", headers=other_headers).status_code == 404


def test_windows_30_90_and_custom(app, session, api_client, rep):
    analysed(app, session, rep, rf.GOOD_SIGNALS, days_ago=2)
    analysed(app, session, rep, rf.POOR_SIGNALS, days_ago=60)
    client, headers = api_client(rep)

    def listening(query):
        body = client.get(f"/api/v1/radar/reps/{rep.id}?{query}", headers=headers).get_json()
        return next(a for a in body["behaviours"] if a["id"] == "listening")["sources"]["calls"]

    assert listening("window=30") == {"score": 100.0, "n": 1}
    assert listening("window=90") == {"score": 50.0, "n": 2}
    old = (dt.date.today() - dt.timedelta(days=61)).isoformat()
    older = (dt.date.today() - dt.timedelta(days=59)).isoformat()
    assert listening(f"window=custom&from={old}&to={older}") == {"score": 0.0, "n": 1}
    bad = client.get(f"/api/v1/radar/reps/{rep.id}?window=custom&from={older}", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_window"
    reversed_ = client.get(f"/api/v1/radar/reps/{rep.id}?from={older}&to={old}", headers=headers)
    assert reversed_.status_code == 400
    assert client.get(f"/api/v1/radar/reps/{rep.id}?window=7", headers=headers).status_code == 422


def test_heatmap_flags_reps_more_than_30_percent_below_team_mean(app, session, api_client, trainer, team):
    reps = [factories.make_user(session, "rep", team) for _ in range(3)]
    for r in reps[:2]:
        analysed(app, session, r, rf.GOOD_SIGNALS, **rf.good_rows())
    analysed(app, session, reps[2], rf.POOR_SIGNALS)
    client, headers = api_client(trainer)
    body = client.get("/api/v1/radar/heatmap?window=30", headers=headers).get_json()
    rows = {r["rep"]["id"]: r for r in body["rows"]}
    i = [b["id"] for b in body["behaviours"]].index("listening")
    weak = rows[reps[2].id]
    assert weak["scores"][i] == 0.0 and weak["weak"][i] is True and weak["calls"][i] == 1
    assert body["teams"][0]["id"] == team.id
    assert body["teams"][0]["mean"][i] == round(200 / 3, 1) and weak["diffs"][i] == -round(200 / 3, 1)
    assert rows[reps[0].id]["weak"][i] is False
    # the heatmap's flags are the weakness rule's
    with app.app_context():
        rule = {(u.id, b) for u, b, _ in radar.weak_cells(session, team.id, radar.window_of(30))}
    flagged = {
        (r["rep"]["id"], b["id"])
        for r in body["rows"]
        for b, w in zip(body["behaviours"], r["weak"], strict=True)
        if w
    }
    assert flagged == rule and (reps[2].id, "listening") in rule


def test_heatmap_sorts_by_a_behaviour(app, session, api_client, trainer, team):
    low, high = factories.make_user(session, "rep", team), factories.make_user(session, "rep", team)
    analysed(app, session, low, rf.POOR_SIGNALS)
    analysed(app, session, high, rf.GOOD_SIGNALS)
    client, headers = api_client(trainer)
    asc = client.get("/api/v1/radar/heatmap?sort=listening&order=asc", headers=headers).get_json()
    desc = client.get("/api/v1/radar/heatmap?sort=listening&order=desc", headers=headers).get_json()
    assert [r["rep"]["id"] for r in asc["rows"]][0] == low.id
    assert [r["rep"]["id"] for r in desc["rows"]][0] == high.id


def test_heatmap_permissions(session, api_client, rep, trainer, admin, team):
    other_team = factories.make_team(session)
    client, headers = api_client(rep)
    assert client.get("/api/v1/radar/heatmap", headers=headers).status_code == 403
    client, headers = api_client(trainer)
    assert client.get(f"/api/v1/radar/heatmap?team_id={other_team.id}", headers=headers).status_code == 403
    client, headers = api_client(admin)
    body = client.get(f"/api/v1/radar/heatmap?team_id={team.id}", headers=headers).get_json()
    assert {r["rep"]["id"] for r in body["rows"]} == {rep.id}


def test_weakness_threshold_is_configurable(app, session, api_client, trainer, team):
    reps = [factories.make_user(session, "rep", team) for _ in range(2)]
    analysed(app, session, reps[0], rf.GOOD_SIGNALS)
    analysed(app, session, reps[1], {**rf.GOOD_SIGNALS, "value_evidence": 1})  # 50 vs mean 75
    client, headers = api_client(trainer)
    cell = lambda: client.get("/api/v1/radar/heatmap", headers=headers).get_json()["rows"]  # noqa: E731
    i = list(BEHAVIOURS).index("value_articulation")
    row = next(r for r in cell() if r["rep"]["id"] == reps[1].id)
    assert row["weak"][i] is True  # 50 < 75 * 0.7
    app.config["WEAKNESS_THRESHOLD"] = 0.5
    row = next(r for r in cell() if r["rep"]["id"] == reps[1].id)
    assert row["weak"][i] is False  # 50 >= 75 * 0.5


def test_heatmap_scores_equal_each_reps_radar(app, session, api_client, trainer, team):
    """The heatmap's lean computation gives the radar's numbers, with all three sources mixed."""
    from coachsvc import ratings as rating_service

    reps = [factories.make_user(session, "rep", team) for _ in range(4)]
    for r, signals in zip(reps, (rf.GOOD_SIGNALS, rf.POOR_SIGNALS, rf.GOOD_SIGNALS, None), strict=True):
        if signals:
            analysed(app, session, r, signals)
    with app.app_context():
        for peer in reps[1:]:
            rating_service.rate(session, peer, reps[0], {"listening": 2, "rapport": 4})
        rating_service.rate(session, trainer, reps[1], {"listening": 3})
        radar.add_drill_score(session, reps[3].id, "objection_handling", 64.5, dt.datetime.now(), "d:1")
        radar.add_drill_score(session, reps[1].id, "listening", 80, dt.datetime.now(), "d:2")
        session.commit()
    client, headers = api_client(trainer)
    heat = client.get("/api/v1/radar/heatmap", headers=headers).get_json()
    ids = [b["id"] for b in heat["behaviours"]]
    for row in heat["rows"]:
        body = client.get(f"/api/v1/radar/reps/{row['rep']['id']}", headers=headers).get_json()
        axes = {a["id"]: a for a in body["behaviours"]}
        assert row["scores"] == [axes[b]["score"] for b in ids]
        assert row["weak"] == [axes[b]["weak"] for b in ids]
        assert row["diffs"] == [axes[b]["diff"] for b in ids]


def test_rep_without_team_has_a_radar_without_team_mean(app, session, api_client, admin):
    loner = factories.make_user(session, "rep")
    analysed(app, session, loner, rf.GOOD_SIGNALS)
    client, headers = api_client(admin)
    body = client.get(f"/api/v1/radar/reps/{loner.id}", headers=headers).get_json()
    listening = next(a for a in body["behaviours"] if a["id"] == "listening")
    assert body["calls"] == 1 and listening["score"] == 100.0
    assert listening["team_mean"] is None and listening["weak"] is False


def test_admin_heatmap_compares_each_rep_with_their_own_team(app, session, api_client, admin):
    east, south = factories.make_team(session), factories.make_team(session)
    a1, a2 = factories.make_user(session, "rep", east), factories.make_user(session, "rep", east)
    b1 = factories.make_user(session, "rep", south)
    analysed(app, session, a1, rf.GOOD_SIGNALS)
    analysed(app, session, a2, rf.POOR_SIGNALS)
    analysed(app, session, b1, rf.POOR_SIGNALS)
    client, headers = api_client(admin)
    body = client.get("/api/v1/radar/heatmap", headers=headers).get_json()
    i = [b["id"] for b in body["behaviours"]].index("listening")
    rows = {r["rep"]["id"]: r for r in body["rows"]}
    means = {t["id"]: t["mean"][i] for t in body["teams"]}
    assert means == {east.id: 50.0, south.id: 0.0}
    assert rows[a2.id]["weak"][i] is True  # 0 against the east mean of 50
    assert rows[b1.id]["weak"][i] is False and rows[b1.id]["diffs"][i] == 0.0  # alone in the south
