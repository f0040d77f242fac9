"""Database access: the engine and session factory bound to an app, and session scopes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from coachsvc.db.models import Base

# Feature modules keep their ORM models in coachsvc/db/<feature>.py on the same Base; importing
# them here registers their tables for the app, Alembic and the tests. One line per feature.
from coachsvc.db import feature_models  # noqa: E402,F401  isort: skip

__all__ = ["Base", "Database", "get_db", "session_scope", "init_app"]


class Database:
    """An engine and its session factory. Creating one never connects."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        if url.startswith("sqlite"):
            engine_kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        else:
            engine_kwargs.setdefault("pool_pre_ping", True)
        self.engine: Engine = create_engine(url, **engine_kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the web app read while a worker writes; foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"])
    app.extensions["coachsvc.db"] = database
    app.teardown_appcontext(_close_request_session)
    return database


def database() -> Database:
    return current_app.extensions["coachsvc.db"]


def get_db() -> Session:
    """The session of the current request or app context (created on first use)."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def _close_request_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A fresh session of its own (jobs, CLI), committed on success, rolled back on error."""
    with database().session() as session:
        yield session
