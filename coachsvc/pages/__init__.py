"""Server-rendered pages (Chinese UI)."""

from __future__ import annotations

from flask import Flask

from coachsvc.config import ROLE_LABELS, STAGE_LABELS, STATUS_LABELS


def register_pages(app: Flask) -> None:
    from coachsvc.pages import activities, auth

    app.register_blueprint(auth.bp)
    app.register_blueprint(activities.bp)
    app.jinja_env.globals.update(
        STAGE_LABELS=STAGE_LABELS, STATUS_LABELS=STATUS_LABELS, ROLE_LABELS=ROLE_LABELS
    )
