"""Drills benchmark: scoring a typed answer through the HTTP API with 20 concurrent drill sessions
(target: p95 under 150 ms).

    .venv/bin/python bench/drills.py                      # SQLite in a temp dir
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_drills .venv/bin/python bench/drills.py

The app is served by Werkzeug's threaded server on a loopback port, in a process of its own. The
demo's top performers' calls are seeded and mined first (spoken by espeak-ng), so every answer is
also compared with real top answers and the result offers three clips, as in production. Each of
`--sessions` client threads signs in with its own API token, starts a drill, answers (strong and
weak answers from the evaluation pairs) after a think time (`--think MIN MAX`, default 2-6 s: a
person types or speaks an answer for longer than that), and starts a new drill when one finishes;
the latency of each answer POST is recorded, measured from the client. `--think 0 0` is the
closed-loop stress case. The PostgreSQL database is emptied first (DROP SCHEMA public CASCADE).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from coachsvc import create_app, drills  # noqa: E402
from coachsvc.auth import hash_password, issue_token  # noqa: E402
from coachsvc.db import session_scope  # noqa: E402
from coachsvc.db.migrate import upgrade  # noqa: E402
from coachsvc.db.models import Team, User  # noqa: E402
from coachsvc.demo.drills import seed_demo_drills  # noqa: E402

TARGET_P95_MS = 150.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent drill sessions (threads)")
    parser.add_argument("--answers", type=int, default=15, help="answers per session thread")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(2.0, 6.0),
        metavar=("MIN", "MAX"),
        help="seconds a trainee takes to answer, uniform (default 2 6; 0 0 = closed loop, no pause)",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-drills-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_DIR": str(tmp),
            "UPLOAD_DIR": str(tmp / "uploads"),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    tokens = _seed(app, args.sessions)
    # The server runs in a process of its own, so the client threads do not share its GIL.
    ports: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    server = multiprocessing.get_context("fork").Process(target=_serve, args=(app.config, ports), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=60)}"
    pairs = drills.load_pairs()
    _warm_up(base, tokens[0], pairs)

    latencies: list[float] = []
    lock = threading.Lock()
    started = time.perf_counter()
    threads = [
        threading.Thread(target=_drill_user, args=(base, token, pairs, args, latencies, lock, i))
        for i, token in enumerate(tokens)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    server.terminate()
    server.join(timeout=10)
    _report(latencies, wall, args, url)


def _serve(config: dict, ports) -> None:
    """Werkzeug's threaded server on a free loopback port, in this (forked) process."""
    app = create_app(dict(config))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    ports.put(server.server_port)
    server.serve_forever()


def _seed(app, sessions: int) -> list[str]:
    with app.app_context(), session_scope() as session:
        clips = seed_demo_drills(session, "bench-pass", app.config["UPLOAD_DIR"])
        print(f"seeded and mined {clips} top-performer clips")
        team = Team(name="bench")
        users = [
            User(
                username=f"bench-{i}",
                display_name=f"新人{i}",
                role="new_hire",
                team=team,
                password_hash=hash_password("x"),
            )
            for i in range(sessions)
        ]
        session.add_all(users)
        session.flush()
        return [issue_token(session, u, "bench") for u in users]


def _post(base: str, token: str, path: str, body: dict) -> dict:
    req = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def _warm_up(base: str, token: str, pairs: list[dict]) -> None:
    """First request builds the scorer (jieba dictionary, vectorizers): not part of the figures."""
    t = time.perf_counter()
    drill = _post(base, token, "/api/v1/drills/sessions", {"scenario_id": pairs[0]["scenario"]})
    _post(base, token, f"/api/v1/drills/sessions/{drill['id']}/answers", {"text": pairs[0]["strong"]})
    print(f"warm-up (scorer build + first answer): {1000 * (time.perf_counter() - t):.0f} ms")


def _drill_user(base, token, pairs, args, latencies, lock, seed) -> None:
    rng = random.Random(seed)
    drill, left = None, args.answers
    time.sleep(rng.uniform(0, args.think[1]))  # sessions start spread out, as people do
    while left:
        if drill is None or drill["status"] != "active":
            pair = rng.choice(pairs)
            drill = _post(base, token, "/api/v1/drills/sessions", {"scenario_id": pair["scenario"]})
        text = pair[rng.choice(("strong", "weak"))]
        t = time.perf_counter()
        turn = _post(base, token, f"/api/v1/drills/sessions/{drill['id']}/answers", {"text": text})
        elapsed = 1000 * (time.perf_counter() - t)
        with lock:
            latencies.append(elapsed)
        drill["status"] = "active" if turn["follow_up"] else "finished"
        left -= 1
        time.sleep(rng.uniform(*args.think))


def _report(latencies: list[float], wall: float, args, url: str) -> None:
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print(
        f"database: {url.split(':')[0]}; {args.sessions} concurrent sessions, think time "
        f"{args.think[0]:g}-{args.think[1]:g} s; {len(latencies)} scored answers"
    )
    print(
        f"answer latency ms: mean {statistics.mean(latencies):.1f}  p50 {p(0.50):.1f}  "
        f"p95 {p(0.95):.1f}  p99 {p(0.99):.1f}  max {latencies[-1]:.1f}"
    )
    print(f"throughput: {len(latencies) / wall:.1f} answers/s over {wall:.1f} s")
    print(f"p95 / target ({TARGET_P95_MS:.0f} ms): {p(0.95) / TARGET_P95_MS:.2f}")


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
