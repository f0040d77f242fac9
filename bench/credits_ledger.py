"""Credit ledger under contention, and HR webhook delivery throughput.

    .venv/bin/python bench/credits_ledger.py                      # SQLite (temporary file)
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_credits \
        .venv/bin/python bench/credits_ledger.py                  # PostgreSQL (the database is wiped)

Prints: ledger writes per second when THREADS threads redeem for the same user (every write holds
that user's lock), when each thread redeems for its own user (locks do not collide on PostgreSQL;
SQLite has one writer at a time), and HR webhook deliveries per second to a loopback receiver with
one RQ SimpleWorker. No target is set for these (none in the issue); they size the locks' cost.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from coachsvc import create_app  # noqa: E402
from coachsvc.auth import hash_password  # noqa: E402
from coachsvc.credits import ledger, redemptions  # noqa: E402
from coachsvc.db.migrate import upgrade  # noqa: E402
from coachsvc.db.models import Team, User  # noqa: E402

THREADS, PER_THREAD = 8, 50


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-credits-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    receiver = _receiver()
    app = create_app(
        {
            "DATABASE_URL": url,
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
            "INSTANCE_DIR": str(tmp),
            "SECRET_KEY": "bench",
            "HR_WEBHOOK_URL": f"http://127.0.0.1:{receiver.server_port}/",
            "HR_WEBHOOK_SECRET": "bench",
        }
    )
    with app.app_context():
        from coachsvc.queue import get_redis

        get_redis(app).ping()  # start the embedded Redis once, before the threads enqueue
    users = _users(app, THREADS)
    print(f"database: {app.extensions['coachsvc.db'].engine.dialect.name}, {THREADS} threads")
    total = THREADS * PER_THREAD
    same = _redeem(app, [users[0]] * THREADS)
    print(f"one user, {total} redemptions from {THREADS} threads: {total / same:.0f} writes/s ({same:.2f} s)")
    own = _redeem(app, users)
    print(f"own user per thread, {total} redemptions: {total / own:.0f} writes/s ({own:.2f} s)")
    _deliver(app, receiver)
    receiver.shutdown()


def _users(app, n: int) -> list[int]:
    with app.app_context():
        db = app.extensions["coachsvc.db"].sessionmaker()
        team = Team(name="bench")
        db.add(team)
        db.flush()
        rows = [
            User(
                username=f"b{i}",
                display_name=f"b{i}",
                role="rep",
                team_id=team.id,
                password_hash=hash_password("x"),
            )
            for i in range(n)
        ]
        db.add_all(rows)
        db.commit()
        ids = [u.id for u in rows]
        for uid in ids:
            db.rollback()
            ledger.lock_account(db, uid)
            ledger.append_entry(db, user_id=uid, kind="award", amount=10**6, actor_id=None, reason="bench")
            db.commit()
        db.close()
    return ids


def _redeem(app, user_ids: list[int]) -> float:
    start = threading.Barrier(len(user_ids) + 1)

    def work(uid: int) -> None:
        with app.app_context():
            db = app.extensions["coachsvc.db"].sessionmaker()
            user = db.get(User, uid)
            start.wait()
            for _ in range(PER_THREAD):
                redemptions.request_redemption(db, user, "bonus", 1)
            db.close()

    threads = [threading.Thread(target=work, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def _deliver(app, receiver) -> None:
    from rq import SimpleWorker
    from sqlalchemy import func, select

    from coachsvc.db.credits import HrDelivery
    from coachsvc.queue import QUEUES, get_redis

    with app.app_context():
        db = app.extensions["coachsvc.db"].sessionmaker()
        backlog = db.scalar(select(func.count()).where(HrDelivery.status == "pending"))
        worker = SimpleWorker(list(QUEUES), connection=get_redis(app))
        t0 = time.perf_counter()
        worker.work(burst=True, logging_level="WARNING")
        took = time.perf_counter() - t0
        done = db.scalar(select(func.count()).where(HrDelivery.status == "delivered"))
        db.close()
    rate = done / took
    print(f"webhook: {done} of {backlog} deliveries sent in {took:.2f} s ({rate:.0f}/s, one worker)")
    print(f"receiver got {receiver.count} requests")


def _receiver() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.server.count += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.count = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    main()
