"""The credit ledger: append-only (ORM and database refuse changes), balances derived from entries,
reversals, and concurrency: parallel redeemers never take a balance below zero."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, event, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from coachsvc.credits import InsufficientCredits, ledger, redemptions
from coachsvc.db.credits import CreditEntry, CreditRedemption, HrDelivery, LedgerImmutableError
from coachsvc.db.models import User
from tests import factories
from tests.credits_support import approved_session, give_credits


@pytest.fixture
def new_hire(session, team):
    return factories.make_user(session, "new_hire", team)


def _entries(session, user_id):
    session.expire_all()
    return session.scalars(
        select(CreditEntry).where(CreditEntry.user_id == user_id).order_by(CreditEntry.seq)
    ).all()


# --- Append-only ----------------------------------------------------------------------------------


def test_orm_refuses_to_update_or_delete_an_entry(app, session, rep):
    with app.app_context():
        entry_id = give_credits(session, rep.id, 10)
        entry = session.get(CreditEntry, entry_id)
        entry.amount = 1000
        with pytest.raises(LedgerImmutableError):
            session.flush()
        session.rollback()
        session.delete(session.get(CreditEntry, entry_id))
        with pytest.raises(LedgerImmutableError):
            session.flush()
        session.rollback()
        with pytest.raises(LedgerImmutableError):
            session.execute(update(CreditEntry).where(CreditEntry.id == entry_id).values(amount=5))
        session.rollback()
        with pytest.raises(LedgerImmutableError):
            session.execute(delete(CreditEntry.__table__).where(CreditEntry.id == entry_id))
        session.rollback()
        assert ledger.balance(session, rep.id) == 10


def test_database_refuses_to_change_an_entry(app, session, rep):
    with app.app_context():
        entry_id = give_credits(session, rep.id, 10)
        engine = app.extensions["coachsvc.db"].engine
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text("UPDATE credit_entries SET amount = 99 WHERE id = :id"), {"id": entry_id})
        if engine.dialect.name == "postgresql":  # SQLite's DELETE guard is the ORM's (see migration 0004)
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text("DELETE FROM credit_entries WHERE id = :id"), {"id": entry_id})
        assert [e.amount for e in _entries(session, rep.id)] == [10]


def test_every_entry_gets_one_hr_delivery_with_its_key(app, session, rep):
    with app.app_context():
        ids = [give_credits(session, rep.id, n) for n in (5, 7)]
        deliveries = session.scalars(select(HrDelivery).order_by(HrDelivery.entry_id)).all()
        assert [d.entry_id for d in deliveries] == ids
        keys = [session.get(CreditEntry, i).entry_key for i in ids]
        assert [d.idempotency_key for d in deliveries] == keys
        assert all(d.status == "pending" for d in deliveries)  # no webhook configured


# --- Balances and reversals -------------------------------------------------------------------------


def test_balance_is_the_sum_of_entries_and_each_entry_carries_the_running_balance(app, session, rep, trainer):
    with app.app_context():
        give_credits(session, rep.id, 30)
        redemptions.request_redemption(session, rep, "leave", 20)
        give_credits(session, rep.id, 4)
        entries = _entries(session, rep.id)
        assert [(e.seq, e.kind, e.amount, e.balance_after) for e in entries] == [
            (1, "award", 30, 30),
            (2, "redemption", -20, 10),
            (3, "award", 4, 14),
        ]
        assert ledger.balance(session, rep.id) == 14


def test_a_mistaken_award_is_fixed_by_a_reversal_entry(app, session, api_client, rep, new_hire, trainer):
    with app.app_context():
        approved_session(session, rep, new_hire, trainer)
    award = _entries(session, rep.id)[0]
    tclient, theaders = api_client(trainer)
    url = f"/api/v1/credits/entries/{award.id}/reverse"
    resp = tclient.post(url, json={"reason": "录音与学员不符"}, headers=theaders)
    assert resp.status_code == 201, resp.json
    assert resp.json["kind"] == "reversal" and resp.json["amount"] == -award.amount
    assert resp.json["reverses_id"] == award.id and resp.json["balance_after"] == 0
    again = tclient.post(url, json={"reason": "again"}, headers=theaders)
    assert again.status_code == 409 and again.json["error"] == "already_reversed"
    # the award is still there, unchanged: the ledger shows the mistake and its fix
    assert [(e.kind, e.amount) for e in _entries(session, rep.id)] == [("award", 10), ("reversal", -10)]


def test_reversal_refused_when_it_would_go_below_zero_or_by_a_rep(
    app, session, api_client, rep, other_rep, trainer
):
    with app.app_context():
        award_id = give_credits(session, rep.id, 10)
        redemptions.request_redemption(session, rep, "bonus", 8)
    tclient, theaders = api_client(trainer)
    resp = tclient.post(f"/api/v1/credits/entries/{award_id}/reverse", json={"reason": "x"}, headers=theaders)
    assert resp.status_code == 409 and resp.json["error"] == "insufficient_credits"
    oclient, oheaders = api_client(other_rep)
    resp = oclient.post(f"/api/v1/credits/entries/{award_id}/reverse", json={"reason": "x"}, headers=oheaders)
    assert resp.status_code == 404
    client, headers = api_client(rep)
    resp = client.post(f"/api/v1/credits/entries/{award_id}/reverse", json={"reason": "x"}, headers=headers)
    assert resp.status_code == 403
    debit = _entries(session, rep.id)[1]
    resp = tclient.post(f"/api/v1/credits/entries/{debit.id}/reverse", json={"reason": "x"}, headers=theaders)
    assert resp.status_code == 409 and resp.json["error"] == "not_reversible"
    assert ledger.balance(session, rep.id) == 2


def test_ledger_listing_is_scoped_and_filtered(app, session, api_client, rep, other_rep, trainer, admin):
    with app.app_context():
        give_credits(session, rep.id, 10)
        give_credits(session, other_rep.id, 20)
        redemptions.request_redemption(session, other_rep, "bonus", 5)
    client, headers = api_client(rep)
    assert [e["amount"] for e in client.get("/api/v1/credits/entries", headers=headers).json["items"]] == [10]
    assert client.get(f"/api/v1/credits/balance?user_id={other_rep.id}", headers=headers).status_code == 404
    tclient, theaders = api_client(trainer)
    items = tclient.get("/api/v1/credits/entries", headers=theaders).json["items"]
    assert sorted(e["amount"] for e in items) == [-5, 10, 20]
    kind = tclient.get(
        f"/api/v1/credits/entries?kind=redemption&user_id={other_rep.id}", headers=theaders
    ).json
    assert [(e["user_id"], e["amount"]) for e in kind["items"]] == [(other_rep.id, -5)]
    stranger = factories.make_user(session, "trainer", factories.make_team(session))
    sclient, sheaders = api_client(stranger)
    assert sclient.get("/api/v1/credits/entries", headers=sheaders).json["total"] == 0
    aclient, aheaders = api_client(admin)
    assert aclient.get("/api/v1/credits/entries", headers=aheaders).json["total"] == 3


# --- Concurrency ----------------------------------------------------------------------------------


def _race_window(engine, seconds: float = 0.05):
    """Sleep right after the ledger's head (last seq and balance) is read, so writers that did not
    take the lock would all build on the same head."""

    def after(conn, cursor, statement, params, context, executemany):
        if "ORDER BY credit_entries.seq DESC" in statement:
            threading.Event().wait(seconds)

    event.listen(engine, "after_cursor_execute", after)
    return lambda: event.remove(engine, "after_cursor_execute", after)


def _redeem_in_parallel(app, user_id: int, n: int, credits: int) -> list[object]:
    """n threads, each with its own app context, session and connection, redeem at the same moment."""
    start, results = threading.Barrier(n), [None] * n

    def redeem(i: int) -> None:
        with app.app_context():
            db = app.extensions["coachsvc.db"].sessionmaker()
            try:
                user = db.get(User, user_id)
                start.wait()
                results[i] = redemptions.request_redemption(db, user, "bonus", credits).id
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                results[i] = exc
            finally:
                db.close()

    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_parallel_redemptions_never_take_the_balance_below_zero(app, session, rep):
    with app.app_context():
        give_credits(session, rep.id, 35)
    stop = _race_window(app.extensions["coachsvc.db"].engine)
    try:
        results = _redeem_in_parallel(app, rep.id, n=10, credits=10)
    finally:
        stop()
    granted = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    assert len(granted) == 3 and len(refused) == 7, results
    with app.app_context():
        assert ledger.balance(session, rep.id) == 5
    entries = _entries(session, rep.id)
    assert [e.seq for e in entries] == list(range(1, 5))
    running = 0
    for e in entries:
        running += e.amount
        assert e.balance_after == running >= 0
    assert session.scalar(select(CreditRedemption.id).where(CreditRedemption.id.not_in(granted))) is None


def test_without_the_lock_parallel_writers_collide_and_the_seq_guard_refuses_them(app, session, rep):
    """Control: writers that skip the lock really do build on the same head (so the test above
    could fail), and the unique (user_id, seq) guard then refuses all but one of them."""
    with app.app_context():
        give_credits(session, rep.id, 35)
    n, start, results = 6, threading.Barrier(6), []

    def debit_without_lock() -> None:
        with app.app_context():
            db = app.extensions["coachsvc.db"].sessionmaker()
            try:
                start.wait()
                ledger.append_entry(
                    db, user_id=rep.id, kind="redemption", amount=-10, actor_id=rep.id, reason="x"
                )
                db.commit()
                results.append("ok")
            except Exception as exc:  # noqa: BLE001
                results.append(exc)
            finally:
                db.close()

    stop = _race_window(app.extensions["coachsvc.db"].engine)
    try:
        threads = [threading.Thread(target=debit_without_lock) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        stop()
    assert results.count("ok") < 3 and any(isinstance(r, IntegrityError) for r in results), results
    entries = _entries(session, rep.id)
    running = 0
    for e in entries:
        running += e.amount
        assert e.balance_after == running >= 0
    with app.app_context():
        assert ledger.balance(session, rep.id) == entries[-1].balance_after


def test_parallel_approvals_award_a_session_once(app, session, rep, new_hire, trainer, admin):
    from coachsvc.credits import sessions as mentoring
    from tests.credits_support import log_session

    with app.app_context():
        ms = log_session(session, rep, new_hire)
        mentoring.submit(session, rep, ms)
    start, results = threading.Barrier(4), []

    def approve(reviewer_id: int) -> None:
        with app.app_context():
            db = app.extensions["coachsvc.db"].sessionmaker()
            try:
                reviewer = db.get(User, reviewer_id)
                target = mentoring.get_session(db, reviewer, ms.id)
                start.wait()
                results.append(mentoring.approve(db, reviewer, target).status)
            except Exception as exc:  # noqa: BLE001
                results.append(exc)
            finally:
                db.close()

    threads = [threading.Thread(target=approve, args=(uid,)) for uid in (trainer.id, admin.id) * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results.count("approved") == 1, results
    assert all(getattr(r, "code", None) == "not_submitted" for r in results if r != "approved")
    assert [(e.kind, e.amount) for e in _entries(session, rep.id)] == [("award", 10)]
