"""360 ratings: who may rate whom, the customer's signed one-use expiring link (no login), and
anonymity: the rated rep never sees who rated, peers show only from three distinct peers up."""

import datetime as dt
import json

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from coachsvc import ratings
from coachsvc.db.radar import Rating, RatingLink
from tests import factories


def radar_of(api_client, rep):
    client, headers = api_client(rep)
    resp = client.get(f"/api/v1/radar/reps/{rep.id}", headers=headers)
    assert resp.status_code == 200
    return resp


def axis(resp, behaviour="listening"):
    return next(a for a in resp.get_json()["behaviours"] if a["id"] == behaviour)


def rate(api_client, rater, rep, scores):
    client, headers = api_client(rater)
    return client.post("/api/v1/ratings", json={"rep_id": rep.id, "scores": scores}, headers=headers)


def test_supervisor_and_peer_rate_on_a_1_to_5_scale(session, api_client, rep, other_rep, trainer):
    resp = rate(api_client, trainer, rep, {"listening": 5, "rapport": 3})
    assert resp.status_code == 201 and resp.get_json()["rater_kind"] == "supervisor"
    assert "rater_id" not in resp.get_json()
    resp = rate(api_client, other_rep, rep, {"listening": 1})
    assert resp.get_json()["rater_kind"] == "peer"
    sup = axis(radar_of(api_client, rep))["sources"]["ratings"]["by_kind"]["supervisor"]
    assert sup == {"hidden": False, "mean": 5.0, "score": 100.0, "n": 1}


def test_who_may_not_rate(session, api_client, rep, trainer):
    outsider = factories.make_user(session, "rep", factories.make_team(session))
    other_trainer = factories.make_user(session, "trainer", factories.make_team(session))
    assert rate(api_client, outsider, rep, {"listening": 4}).status_code == 403
    assert rate(api_client, other_trainer, rep, {"listening": 4}).status_code == 403
    assert rate(api_client, rep, rep, {"listening": 5}).get_json()["error"] == "self_rating"
    bad = rate(api_client, trainer, rep, {"listening": 6})
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_input"
    assert rate(api_client, trainer, rep, {"charisma": 3}).status_code == 422
    assert rate(api_client, trainer, rep, {}).status_code == 422


def test_peer_average_hidden_below_three_peers(session, api_client, rep, team):
    peers = [factories.make_user(session, "rep", team) for _ in range(2)]
    for peer in peers:
        rate(api_client, peer, rep, {"listening": 2})
    rate(api_client, peers[0], rep, {"listening": 2})  # the same peer twice is still two peers
    a = axis(radar_of(api_client, rep))
    assert a["sources"]["ratings"]["by_kind"]["peer"] == {"hidden": True, "n": None, "min_peers": 3}
    assert a["sources"]["ratings"]["score"] is None  # withheld peers do not count either
    assert a["score"] is None


def test_peer_average_shown_from_three_peers(session, api_client, rep, team):
    peers = [factories.make_user(session, "rep", team) for _ in range(3)]
    for peer, value in zip(peers, (2, 3, 4), strict=True):
        rate(api_client, peer, rep, {"listening": value})
    peer_avg = axis(radar_of(api_client, rep))["sources"]["ratings"]["by_kind"]["peer"]
    assert peer_avg == {"hidden": False, "mean": 3.0, "score": 50.0, "n": 3}


def test_rated_rep_never_sees_who_rated(session, api_client, rep, trainer, team):
    peers = [factories.make_user(session, "rep", team, username=f"peer-name-{i}") for i in range(3)]
    for peer in peers:
        rate(api_client, peer, rep, {"listening": 4})
    rate(api_client, trainer, rep, {"listening": 4})
    client, headers = api_client(rep)
    texts = [
        radar_of(api_client, rep).get_data(as_text=True),
        client.get(f"/api/v1/radar/reps/{rep.id}/behaviours/listening", headers=headers).get_data(
            as_text=True
        ),
    ]
    page = factories_login_page(client, rep)
    for text in [*texts, page]:
        for user in (*peers, trainer):
            assert user.username not in text
        assert "rater_id" not in text
    rated = json.loads(texts[1])["ratings"]
    assert set(rated) == {"peer", "supervisor"}


def factories_login_page(client, rep):
    client.post("/login", data={"username": rep.username, "password": factories.PASSWORD})
    return client.get(f"/radar/reps/{rep.id}/behaviours/listening").get_data(as_text=True)


def make_link(api_client, creator, rep):
    client, headers = api_client(creator)
    resp = client.post("/api/v1/ratings/links", json={"rep_id": rep.id}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_customer_rates_once_through_the_link_without_login(app, session, api_client, client, rep):
    link = make_link(api_client, rep, rep)
    assert link["url"].endswith(f"/rate/{link['token']}")
    page = client.get(f"/rate/{link['token']}")
    assert page.status_code == 200 and rep.display_name in page.get_data(as_text=True)
    resp = client.post(f"/api/v1/ratings/customer/{link['token']}", json={"scores": {"listening": 4}})
    assert resp.status_code == 201 and resp.get_json()["rater_kind"] == "customer"
    again = client.post(f"/api/v1/ratings/customer/{link['token']}", json={"scores": {"listening": 1}})
    assert again.status_code == 409 and again.get_json()["error"] == "link_used"
    assert client.get(f"/rate/{link['token']}").status_code == 409
    kinds = axis(radar_of(api_client, rep))["sources"]["ratings"]["by_kind"]
    assert kinds["customer"]["n"] == 1 and kinds["customer"]["mean"] == 4.0
    session.expire_all()
    assert session.scalar(select(Rating).where(Rating.rater_kind == "customer")).rater_id is None


def test_customer_form_page_submits(app, session, api_client, client, rep):
    link = make_link(api_client, rep, rep)
    resp = client.post(
        f"/rate/{link['token']}", data={"score_listening": "5", "score_rapport": "", "comment": "好"}
    )
    assert resp.status_code == 200 and "感谢您的评价" in resp.get_data(as_text=True)
    session.expire_all()
    rating = session.scalar(select(Rating).where(Rating.rep_id == rep.id))
    assert [(s.behaviour, s.value) for s in rating.scores] == [("listening", 5)]


def test_tampered_or_foreign_tokens_are_rejected(app, session, api_client, client, rep):
    link = make_link(api_client, rep, rep)
    tampered = link["token"][:-2] + ("AA" if not link["token"].endswith("AA") else "BB")
    resp = client.post(f"/api/v1/ratings/customer/{tampered}", json={"scores": {"listening": 4}})
    assert resp.status_code == 404 and resp.get_json()["error"] == "link_invalid"
    forged = URLSafeTimedSerializer("another-secret", salt=ratings.SALT).dumps({"l": link["id"], "n": "x"})
    assert (
        client.post(f"/api/v1/ratings/customer/{forged}", json={"scores": {"listening": 4}}).status_code
        == 404
    )


def test_expired_link_is_rejected(app, session, api_client, client, rep):
    link = make_link(api_client, rep, rep)
    row = session.get(RatingLink, link["id"])
    row.expires_at = dt.datetime(2000, 1, 1)
    session.commit()
    resp = client.post(f"/api/v1/ratings/customer/{link['token']}", json={"scores": {"listening": 4}})
    assert resp.status_code == 410 and resp.get_json()["error"] == "link_expired"


def test_signature_age_limit_is_enforced(app, session, api_client, client, rep):
    link = make_link(api_client, rep, rep)
    app.config["RATING_LINK_MAX_AGE_DAYS"] = -1  # any token is older than -1 days
    resp = client.post(f"/api/v1/ratings/customer/{link['token']}", json={"scores": {"listening": 4}})
    assert resp.status_code == 410


@pytest.mark.parametrize("creator_kind", ["other_rep", "stranger_trainer"])
def test_only_the_rep_or_their_trainer_creates_links(session, api_client, rep, other_rep, creator_kind):
    creator = (
        other_rep
        if creator_kind == "other_rep"
        else factories.make_user(session, "trainer", factories.make_team(session))
    )
    client, headers = api_client(creator)
    resp = client.post("/api/v1/ratings/links", json={"rep_id": rep.id}, headers=headers)
    assert resp.status_code == 404


def test_a_link_submitted_in_parallel_is_spent_once(app, session, api_client, rep):
    import threading

    token = make_link(api_client, rep, rep)["token"]
    barrier, outcomes = threading.Barrier(6), []

    def submit():
        with app.app_context(), app.extensions["coachsvc.db"].sessionmaker() as own:
            barrier.wait()
            try:
                ratings.rate_as_customer(own, token, {"listening": 4})
                outcomes.append("ok")
            except ratings.RatingError as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["link_used"] * 5 + ["ok"]
    session.expire_all()
    assert len(session.scalars(select(Rating).where(Rating.rep_id == rep.id)).all()) == 1
