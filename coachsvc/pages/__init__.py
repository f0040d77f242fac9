"""Server-rendered pages (Chinese UI)."""

from __future__ import annotations

from flask import Flask

from coachsvc.config import ROLE_LABELS, STAGE_LABELS, STATUS_LABELS


def register_pages(app: Flask) -> None:
    from coachsvc.pages import activities, auth

    app.register_blueprint(auth.bp)
    app.register_blueprint(activities.bp)
    from coachsvc.pages import credits as credit_pages  # mentoring credits (issue 7)

    app.register_blueprint(credit_pages.bp)
    from coachsvc.pages import coaching, radar, ratings  # radar, 360 ratings, coaching (issue 5)

    for module in (radar, coaching, ratings):
        app.register_blueprint(module.bp)
    from coachsvc.pages import drills as drill_pages  # objection drills (issue 6)

    app.register_blueprint(drill_pages.bp)
    app.jinja_env.globals.update(
        STAGE_LABELS=STAGE_LABELS, STATUS_LABELS=STATUS_LABELS, ROLE_LABELS=ROLE_LABELS
    )
