"""coachsvc: coaching and call analysis for B2B sales teams."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from coachsvc.config import REPO_ROOT, load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: read config, bind extensions, register blueprints. Connects to nothing."""
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "web" / "templates"),
        static_folder=str(REPO_ROOT / "web" / "static"),
    )
    app.config.update(load_config(config))
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"))

    from coachsvc import auth, db, extensions, privacy
    from coachsvc.analysis import web as analysis_web
    from coachsvc.api import register_api
    from coachsvc.pages import register_pages

    db.init_app(app)
    auth.init_app(app)
    extensions.init_app(app)
    register_api(app)
    register_pages(app)
    privacy.init_app(app)  # masks phone/ID/bank-card numbers and emails in answers and logs
    analysis_web.init_app(app)  # labels and transcript highlights of the record page
    return app
