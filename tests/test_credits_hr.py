"""HR sync: the signed webhook, sent by RQ jobs to a real HTTP receiver on loopback that fails the
first attempts (500s, a dropped connection, a hang past the timeout), and the CSV export by period.

Exactly once is proven on the sender's side: the receiver counts what it acknowledged, and no entry
is ever sent again after an acknowledgement (the receiver does not dedupe)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler
from sqlalchemy import select

from coachsvc.credits import hr, ledger, redemptions
from coachsvc.db.credits import CreditEntry, HrDelivery, HrDeliveryAttempt
from tests import factories
from tests.credits_support import approved_session, give_credits

SECRET = "hr-shared-secret"
TIMEOUT = 0.5


class Receiver:
    """An HR endpoint on loopback. `script` says how to treat the next requests, in order
    ("500", "drop": close without answering, "hang": answer nothing until the client gave up,
    "ok"); after the script every request is acknowledged with 200."""

    def __init__(self, script=(), delay: float = 0.0) -> None:
        self.script, self.delay = list(script), delay
        self.requests: list[dict] = []
        self.acknowledged: Counter[str] = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                receiver.handle(self)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hr/credits"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        body = req.rfile.read(int(req.headers["Content-Length"]))
        with self.lock:
            action = self.script.pop(0) if self.script else "ok"
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            self.requests.append(
                {
                    "key": req.headers["Idempotency-Key"],
                    "body": body,
                    "signed": hmac.compare_digest(expected, req.headers["X-Coachsvc-Signature"]),
                    "attempt": int(req.headers["X-Coachsvc-Attempt"]),
                    "action": action,
                }
            )
        if action == "500":
            req.send_response(500)
            req.end_headers()
            req.wfile.write(b"internal error")
        elif action == "hang":
            time.sleep(TIMEOUT * 3)  # the sender has given up by now; nothing is acknowledged
        elif action == "ok":
            time.sleep(self.delay)
            with self.lock:
                self.acknowledged[req.headers["Idempotency-Key"]] += 1
            req.send_response(200)
            req.send_header("Content-Length", "2")
            req.end_headers()
            req.wfile.write(b"ok")
        # "drop": return without a response; the server closes the connection

    def keys_in_order(self) -> list[str]:
        return [r["key"] for r in self.requests]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def hr_app(app):
    app.config.update(
        HR_WEBHOOK_SECRET=SECRET,
        HR_WEBHOOK_TIMEOUT_SECONDS=TIMEOUT,
        HR_WEBHOOK_BACKOFF_SECONDS=0.05,
        HR_WEBHOOK_MAX_ATTEMPTS=6,
    )
    return app


@pytest.fixture
def new_hire(session, team):
    return factories.make_user(session, "new_hire", team)


def run_jobs_until_settled(app, worker, limit: float = 60) -> int:
    """Drain the queues with the real worker; between rounds, move due retries from RQ's scheduled
    registry to the queue with RQ's own scheduler (production workers run it themselves)."""
    from coachsvc.queue import BATCH, get_queue, get_redis

    rounds, deadline = 0, time.monotonic() + limit
    while time.monotonic() < deadline:
        worker()
        rounds += 1
        with app.app_context():
            queue = get_queue(BATCH)
            if ScheduledJobRegistry(queue=queue).count == 0 and queue.count == 0:
                return rounds
            scheduler = RQScheduler([queue], connection=get_redis(app))
            scheduler.acquire_locks()
            try:
                scheduler.enqueue_scheduled_jobs()
            finally:
                scheduler.release_locks()
        time.sleep(0.05)
    raise AssertionError("jobs did not settle")


def _ledger_keys(session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(CreditEntry.entry_key).order_by(CreditEntry.id)))


def test_every_entry_arrives_once_despite_500s_a_drop_and_a_hang(
    hr_app, session, worker, rep, new_hire, trainer
):
    app = hr_app
    with Receiver(script=["500", "drop", "500", "hang"]) as receiver:
        app.config["HR_WEBHOOK_URL"] = receiver.url
        with app.app_context():
            approved_session(session, rep, new_hire, trainer)  # award
            r = redemptions.request_redemption(session, rep, "leave", 10)  # redemption
            redemptions.reject_redemption(session, trainer, r, "本月调休已满")  # reversal
        run_jobs_until_settled(app, worker)

        keys = _ledger_keys(session)
        assert len(keys) == 3
        # each entry acknowledged exactly once, and never sent again after its acknowledgement
        assert receiver.acknowledged == Counter({k: 1 for k in keys})
        for key in keys:
            actions = [r["action"] for r in receiver.requests if r["key"] == key]
            assert actions[-1] == "ok" and actions.count("ok") == 1
        # the failures were retried, with the same key, body and a valid signature every time
        assert [r["action"] for r in receiver.requests[:4]] == ["500", "drop", "500", "hang"]
        assert len(receiver.requests) == 7
        assert all(r["signed"] for r in receiver.requests)
        for key in keys:
            bodies = {r["body"] for r in receiver.requests if r["key"] == key}
            assert len(bodies) == 1 and json.loads(bodies.pop())["idempotency_key"] == key

        # the sender recorded every attempt, and why the failed ones failed
        deliveries = session.scalars(select(HrDelivery).order_by(HrDelivery.entry_id)).all()
        assert {d.status for d in deliveries} == {"delivered"}
        attempts = session.scalars(select(HrDeliveryAttempt).order_by(HrDeliveryAttempt.id)).all()
        assert len(attempts) == len(receiver.requests)
        errors = [a.error for a in attempts if not a.ok]
        assert len(errors) == 4
        assert sum("HTTP 500" in e for e in errors) == 2
        assert any("RemoteDisconnected" in e or "Connection" in e for e in errors), errors
        assert any("timed out" in e.lower() or "timeout" in e.lower() for e in errors), errors
        for d in deliveries:
            assert [a.attempt_no for a in d.attempt_log] == list(range(1, d.attempts + 1))
            assert d.attempt_log[-1].ok and d.attempt_log[-1].http_status == 200

        # later syncs and stray duplicate jobs send nothing again
        with app.app_context():
            assert hr.enqueue_due_deliveries(session) == 0
            from coachsvc.queue import enqueue

            for entry_id in session.scalars(select(CreditEntry.id)):
                enqueue(hr.deliver_entry, entry_id, job_id=f"hr-stray-{entry_id}")
        run_jobs_until_settled(app, worker)
        assert len(receiver.requests) == 7 and sum(receiver.acknowledged.values()) == 3


def test_parallel_jobs_for_one_entry_send_it_once(hr_app, session, rep):
    app = hr_app
    with Receiver(delay=0.3) as receiver:
        app.config["HR_WEBHOOK_URL"] = receiver.url
        with app.app_context():
            entry_id = give_credits(session, rep.id, 10)
        start, outcomes = threading.Barrier(5), []

        def deliver() -> None:
            with app.app_context():
                start.wait()
                outcomes.append(hr.deliver_entry(entry_id))

        threads = [threading.Thread(target=deliver) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["delivered"] + ["skipped"] * 4
        assert len(receiver.requests) == 1 and sum(receiver.acknowledged.values()) == 1


def test_retries_back_off_exponentially_in_rqs_scheduled_registry(hr_app, session, worker, rep):
    app = hr_app
    app.config.update(HR_WEBHOOK_BACKOFF_SECONDS=30, HR_WEBHOOK_BACKOFF_MAX_SECONDS=100)
    with app.app_context():
        settings = hr.credit_settings()
        assert [hr.backoff_seconds(settings, n) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    with Receiver(script=["500"]) as receiver:
        app.config["HR_WEBHOOK_URL"] = receiver.url
        with app.app_context():
            entry_id = give_credits(session, rep.id, 10)
        before = time.time()
        worker()
        assert len(receiver.requests) == 1
        with app.app_context():
            from coachsvc.queue import BATCH, get_queue

            registry = ScheduledJobRegistry(queue=get_queue(BATCH))
            assert registry.get_job_ids() == [f"hr-entry-{entry_id}-2"]
            due = registry.get_scheduled_time(f"hr-entry-{entry_id}-2").timestamp()
        assert before + 29 <= due <= time.time() + 31
        delivery = session.scalar(select(HrDelivery).where(HrDelivery.entry_id == entry_id))
        assert delivery.status == "pending" and delivery.last_error.startswith("HTTP 500")
        wait = (delivery.next_attempt_at - delivery.attempt_log[0].finished_at).total_seconds()
        assert wait == pytest.approx(30, abs=1)


def test_a_delivery_gives_up_after_its_attempts_and_an_admin_can_resend(hr_app, session, worker, rep, admin):
    app = hr_app
    app.config.update(HR_WEBHOOK_MAX_ATTEMPTS=3)
    with Receiver(script=["500"] * 3) as receiver:
        app.config["HR_WEBHOOK_URL"] = receiver.url
        with app.app_context():
            entry_id = give_credits(session, rep.id, 10)
        run_jobs_until_settled(app, worker)
        delivery = session.scalar(select(HrDelivery).where(HrDelivery.entry_id == entry_id))
        assert delivery.status == "failed" and delivery.attempts == 3
        assert sum(receiver.acknowledged.values()) == 0

        with app.test_client() as client:
            token = factories.make_token(session, admin)
            resp = client.post(
                "/api/v1/credits/hr-deliveries/resend-failed", headers={"Authorization": f"Bearer {token}"}
            )
            assert resp.status_code == 202 and resp.json == {"queued": 1}
        run_jobs_until_settled(app, worker)
        session.expire_all()
        delivery = session.scalar(select(HrDelivery).where(HrDelivery.entry_id == entry_id))
        assert delivery.status == "delivered" and delivery.attempts == 4
        assert receiver.acknowledged == Counter({delivery.idempotency_key: 1})
        with app.test_client() as client:
            status = client.get(
                "/api/v1/credits/hr-deliveries", headers={"Authorization": f"Bearer {token}"}
            ).json
        assert status["configured"] is True and status["summary"]["delivered"] == 1
        log = status["items"][0]["attempt_log"]
        assert [(a["attempt_no"], a["ok"], a["http_status"]) for a in log] == [
            (1, False, 500),
            (2, False, 500),
            (3, False, 500),
            (4, True, 200),
        ]


def test_entries_written_before_the_webhook_is_configured_are_sent_by_hr_sync(hr_app, session, worker, rep):
    app = hr_app
    with app.app_context():
        give_credits(session, rep.id, 10)
    worker()
    assert session.scalar(select(HrDelivery.status)) == "pending"  # nothing queued without a URL
    with Receiver() as receiver:
        app.config["HR_WEBHOOK_URL"] = receiver.url
        with app.app_context():
            assert hr.enqueue_due_deliveries(session) == 1
        run_jobs_until_settled(app, worker)
        assert list(receiver.acknowledged.values()) == [1]


def test_hr_sync_status_is_for_admins(hr_app, api_client, rep, trainer, admin):
    for user in (rep, trainer):
        client, headers = api_client(user)
        assert client.get("/api/v1/credits/hr-deliveries", headers=headers).status_code == 403
        assert client.post("/api/v1/credits/hr-deliveries/sync", headers=headers).status_code == 403
    client, headers = api_client(admin)
    body = client.get("/api/v1/credits/hr-deliveries", headers=headers).json
    assert body["configured"] is False and body["summary"]["pending"] == 0


# --- CSV export -----------------------------------------------------------------------------------


def _entry_at(monkeypatch, session, user, when_utc: dt.datetime, amount: int) -> int:
    monkeypatch.setattr(ledger, "utcnow", lambda: when_utc)
    return give_credits(session, user.id, amount)


def _rows(body: bytes) -> list[list[str]]:
    import csv
    import io

    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_periods_split_at_local_midnight_and_never_repeat_an_entry(
    app, session, monkeypatch, api_client, admin, rep
):
    with app.app_context():
        # 2026-10-31 23:59:59 and 2026-11-01 00:00:00 in Shanghai (UTC+8)
        october = _entry_at(monkeypatch, session, rep, dt.datetime(2026, 10, 31, 15, 59, 59), 5)
        november = _entry_at(monkeypatch, session, rep, dt.datetime(2026, 10, 31, 16, 0, 0), 7)
        late = _entry_at(monkeypatch, session, rep, dt.datetime(2026, 11, 30, 15, 59, 59), 9)
    client, headers = api_client(admin)
    oct_rows = _rows(client.get("/api/v1/credits/export.csv?month=2026-10", headers=headers).data)
    resp = client.get("/api/v1/credits/export.csv?month=2026-11", headers=headers)
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="credits-20261101-20261130.csv"'
    nov_rows = _rows(resp.data)
    assert oct_rows[0] == list(hr.CSV_HEADER)
    assert [int(r[0]) for r in oct_rows[1:]] == [october]
    assert [int(r[0]) for r in nov_rows[1:]] == [november, late]
    assert nov_rows[1][2] == "2026-11-01 00:00:00" and nov_rows[1][6] == "带教奖励" and nov_rows[1][7] == "7"
    days = _rows(
        client.get("/api/v1/credits/export.csv?date_from=2026-10-31&date_to=2026-11-01", headers=headers).data
    )
    assert [int(r[0]) for r in days[1:]] == [october, november]
    keys = {r[1] for r in oct_rows[1:] + nov_rows[1:]}
    assert keys == set(_ledger_keys(session))


def test_csv_is_scoped_and_neutralises_formulas(app, session, api_client, rep, other_rep, trainer):
    sneaky = factories.make_user(session, "rep", factories.make_team(session))
    sneaky.display_name = '=HYPERLINK("http://x")'
    session.commit()
    with app.app_context():
        give_credits(session, rep.id, 10)
        give_credits(session, other_rep.id, 20)
        give_credits(session, sneaky.id, 30)
        month = f"{hr.local_today():%Y-%m}"
    client, headers = api_client(rep)
    own = _rows(client.get(f"/api/v1/credits/export.csv?month={month}", headers=headers).data)
    assert [r[3] for r in own[1:]] == [rep.username]
    assert (
        client.get(
            f"/api/v1/credits/export.csv?month={month}&user_id={other_rep.id}", headers=headers
        ).status_code
        == 404
    )
    tclient, theaders = api_client(trainer)
    team = _rows(tclient.get(f"/api/v1/credits/export.csv?month={month}", headers=theaders).data)
    assert sorted(r[3] for r in team[1:]) == sorted([rep.username, other_rep.username])
    sclient, sheaders = api_client(sneaky)
    mine = _rows(sclient.get(f"/api/v1/credits/export.csv?month={month}", headers=sheaders).data)
    assert mine[1][4] == '\'=HYPERLINK("http://x")'
    bad = client.get("/api/v1/credits/export.csv?month=2026-13", headers=headers)
    assert bad.status_code == 422 and bad.json["error"] == "invalid_period"
