"""The coachsvc RQ worker: builds the app, loads heavy models once, then takes jobs.

By default it is an RQ SimpleWorker (jobs run in the worker process itself, so the models loaded
once stay warm and CTranslate2's threads never cross a fork); WORKER_CLASS=fork uses RQ's forking
Worker instead, with the models preloaded before the fork.
"""

from __future__ import annotations

import logging
import os

from rq import SimpleWorker, Worker
from rq.job import Job

from coachsvc.queue import QUEUES


class JobIdFilter(logging.Filter):
    """Stamps the current job's id on every log record written inside a job."""

    def filter(self, record: logging.LogRecord) -> bool:
        from rq import get_current_job

        job = get_current_job()
        record.job_id = job.id if job else "-"
        return True


class CoachWorker(SimpleWorker):
    """SimpleWorker that keeps the app context pushed for the jobs it runs."""


class CoachForkWorker(Worker):
    """Forking worker; models are loaded in the parent before each fork."""


def record_interrupted_job(job: Job, exc_type, exc_value, traceback) -> bool:
    """RQ exception handler: a job that died without closing its record (its worker was killed and
    RQ found the job abandoned, or the forking worker's hard time limit struck) leaves the record
    re-runnable: `queued` when RQ retries the job, else `failed` with the reason (the API retries it).
    """
    from coachsvc.db import session_scope
    from coachsvc.db.models import ActivityRecord

    if job.func_name != "coachsvc.jobs.process_activity" or not job.args:
        return True
    with session_scope() as session:
        record = session.get(ActivityRecord, job.args[0])
        if record is not None and record.status in ("transcribing", "analyzing"):
            retry = bool(job.retries_left)
            record.status = "queued" if retry else "failed"
            then = "将自动重试" if retry else "可重试"
            record.failure_reason = f"处理中断（{exc_type.__name__}），{then}"
    return True


def build_worker(app, queues: list[str] | None = None, name: str | None = None) -> Worker:
    from sqlalchemy.orm import configure_mappers

    from coachsvc.db import database
    from coachsvc.preload import preload_models
    from coachsvc.queue import get_redis

    with app.app_context():
        preload_models(app)
        configure_mappers()
        database().engine.dispose()  # no pooled connection crosses a fork
        connection = get_redis(app)
    cls = CoachForkWorker if os.environ.get("WORKER_CLASS") == "fork" else CoachWorker
    return cls(
        queues or list(QUEUES),
        connection=connection,
        name=name,
        job_class=Job,
        exception_handlers=[record_interrupted_job],
    )


def main(argv: list[str] | None = None) -> None:
    import argparse

    from coachsvc import create_app

    parser = argparse.ArgumentParser(prog="python -m worker", description="coachsvc RQ worker")
    parser.add_argument("queues", nargs="*", help="queues to serve (default: realtime batch)")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s [%(job_id)s] %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(JobIdFilter())
    app = create_app()
    worker = build_worker(app, args.queues or None, args.name)
    from coachsvc.runtime import settle_memory

    settle_memory()  # the models are loaded: keep the collector off them
    with app.app_context():
        worker.work(burst=args.burst, with_scheduler=True)
