"""Redemptions through the API: rates, debit at request, approval or rejection by the team's trainer
or an admin, withdrawal, and who may decide."""

from __future__ import annotations

from sqlalchemy import select

from coachsvc.db.credits import CreditEntry
from tests import factories
from tests.credits_support import give_credits


def _balance(client, headers) -> int:
    return client.get("/api/v1/credits/balance", headers=headers).json["balance"]


def _kinds(session, user_id):
    session.expire_all()
    rows = session.scalars(
        select(CreditEntry).where(CreditEntry.user_id == user_id).order_by(CreditEntry.seq)
    )
    return [(e.kind, e.amount) for e in rows]


def test_leave_redemption_is_debited_at_once_and_approved_by_the_trainer(
    app, session, api_client, rep, trainer
):
    with app.app_context():
        give_credits(session, rep.id, 30)
    client, headers = api_client(rep)
    resp = client.post("/api/v1/credits/redemptions", json={"kind": "leave", "credits": 20}, headers=headers)
    assert resp.status_code == 201, resp.json
    assert (resp.json["units"], resp.json["rate"], resp.json["status"]) == (2.0, 10.0, "pending")
    rid = resp.json["id"]
    balance = client.get("/api/v1/credits/balance", headers=headers).json
    assert balance["balance"] == 10 and balance["pending_redemption_credits"] == 20

    assert (
        client.post(f"/api/v1/credits/redemptions/{rid}/approve", json={}, headers=headers).status_code == 403
    )
    tclient, theaders = api_client(trainer)
    approved = tclient.post(
        f"/api/v1/credits/redemptions/{rid}/approve", json={"comment": "同意"}, headers=theaders
    )
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert approved.json["decided_by_id"] == trainer.id
    again = tclient.post(f"/api/v1/credits/redemptions/{rid}/reject", json={"comment": "x"}, headers=theaders)
    assert again.status_code == 409 and again.json["error"] == "not_pending"
    assert _balance(client, headers) == 10
    assert _kinds(session, rep.id) == [("award", 30), ("redemption", -20)]


def test_rejection_gives_the_credits_back_with_a_reversal(app, session, api_client, rep, trainer):
    with app.app_context():
        give_credits(session, rep.id, 30)
    client, headers = api_client(rep)
    rid = client.post(
        "/api/v1/credits/redemptions", json={"kind": "bonus", "credits": 5}, headers=headers
    ).json["id"]
    tclient, theaders = api_client(trainer)
    no_reason = tclient.post(f"/api/v1/credits/redemptions/{rid}/reject", json={}, headers=theaders)
    assert no_reason.status_code == 422
    rejected = tclient.post(
        f"/api/v1/credits/redemptions/{rid}/reject", json={"comment": "奖金已发"}, headers=theaders
    )
    assert rejected.json["status"] == "rejected" and rejected.json["decision_comment"] == "奖金已发"
    assert _balance(client, headers) == 30
    assert _kinds(session, rep.id) == [("award", 30), ("redemption", -5), ("reversal", 5)]
    reversal = session.scalars(select(CreditEntry).where(CreditEntry.kind == "reversal")).one()
    debit = session.scalars(select(CreditEntry).where(CreditEntry.kind == "redemption")).one()
    assert reversal.reverses_id == debit.id and reversal.redemption_id == rid
    assert reversal.actor_id == trainer.id and "奖金已发" in reversal.reason


def test_the_requester_may_withdraw_a_pending_request(app, session, api_client, rep, other_rep):
    with app.app_context():
        give_credits(session, rep.id, 10)
    client, headers = api_client(rep)
    rid = client.post(
        "/api/v1/credits/redemptions", json={"kind": "leave", "credits": 10}, headers=headers
    ).json["id"]
    oclient, oheaders = api_client(other_rep)
    assert oclient.post(f"/api/v1/credits/redemptions/{rid}/cancel", headers=oheaders).status_code == 404
    resp = client.post(f"/api/v1/credits/redemptions/{rid}/cancel", headers=headers)
    assert resp.json["status"] == "cancelled"
    assert _balance(client, headers) == 10
    assert client.post(f"/api/v1/credits/redemptions/{rid}/cancel", headers=headers).status_code == 409


def test_rates_and_refusals(app, session, api_client, rep):
    app.config.update(CREDIT_BONUS_YUAN_PER_CREDIT=20)
    with app.app_context():
        give_credits(session, rep.id, 25)
    client, headers = api_client(rep)
    bonus = client.post("/api/v1/credits/redemptions", json={"kind": "bonus", "credits": 5}, headers=headers)
    assert (bonus.json["units"], bonus.json["rate"]) == (100.0, 20.0)
    odd = client.post("/api/v1/credits/redemptions", json={"kind": "leave", "credits": 15}, headers=headers)
    assert (
        odd.status_code == 422
        and odd.json["error"] == "invalid_credits"
        and "10 的整数倍" in odd.json["message"]
    )
    much = client.post("/api/v1/credits/redemptions", json={"kind": "leave", "credits": 30}, headers=headers)
    assert (
        much.status_code == 409
        and much.json["error"] == "insufficient_credits"
        and much.json["balance"] == 20
    )
    bad = client.post("/api/v1/credits/redemptions", json={"kind": "cash", "credits": 5}, headers=headers)
    assert bad.status_code == 422 and bad.json["error"] == "invalid_input"
    zero = client.post("/api/v1/credits/redemptions", json={"kind": "bonus", "credits": 0}, headers=headers)
    assert zero.status_code == 422
    assert _balance(client, headers) == 20
    assert len(client.get("/api/v1/credits/redemptions", headers=headers).json) == 1


def test_only_the_team_trainer_or_an_admin_decides(app, session, api_client, rep, other_rep, trainer, admin):
    with app.app_context():
        give_credits(session, rep.id, 20)
    client, headers = api_client(rep)
    rid = client.post(
        "/api/v1/credits/redemptions", json={"kind": "bonus", "credits": 5}, headers=headers
    ).json["id"]
    oclient, oheaders = api_client(other_rep)
    assert (
        oclient.post(f"/api/v1/credits/redemptions/{rid}/approve", json={}, headers=oheaders).status_code
        == 404
    )
    stranger = factories.make_user(session, "trainer", factories.make_team(session))
    sclient, sheaders = api_client(stranger)
    assert (
        sclient.post(f"/api/v1/credits/redemptions/{rid}/approve", json={}, headers=sheaders).status_code
        == 404
    )
    assert sclient.get("/api/v1/credits/redemptions", headers=sheaders).json == []
    tclient, theaders = api_client(trainer)
    assert [
        r["id"] for r in tclient.get("/api/v1/credits/redemptions?status=pending", headers=theaders).json
    ] == [rid]
    aclient, aheaders = api_client(admin)
    assert (
        aclient.post(f"/api/v1/credits/redemptions/{rid}/approve", json={}, headers=aheaders).status_code
        == 200
    )
