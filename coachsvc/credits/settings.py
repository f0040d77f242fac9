"""Credit settings: the session standard, redemption rates and the HR webhook, resolved per app.

Each setting is read from the app config, then from an environment variable of the same name, then
from the product default in coachsvc/config.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import current_app

from coachsvc import config as defaults


@dataclass(frozen=True)
class CreditSettings:
    require_recording: bool
    min_annotations: int
    require_approval: bool
    credits_per_session: int
    mentor_roles: tuple[str, ...]
    leave_credits_per_hour: int
    bonus_yuan_per_credit: int
    timezone: str
    webhook_url: str
    webhook_secret: str
    webhook_timeout: float
    webhook_max_attempts: int
    webhook_backoff: float
    webhook_backoff_max: float

    @property
    def webhook_configured(self) -> bool:
        return bool(self.webhook_url and self.webhook_secret)


def credit_settings() -> CreditSettings:
    """The settings of the current app."""
    return CreditSettings(
        require_recording=_get("MENTORING_REQUIRE_RECORDING", _bool),
        min_annotations=_get("MENTORING_MIN_ANNOTATIONS", int),
        require_approval=_get("MENTORING_REQUIRE_APPROVAL", _bool),
        credits_per_session=_get("MENTORING_CREDITS_PER_SESSION", int),
        mentor_roles=_get("MENTOR_ROLES", _roles),
        leave_credits_per_hour=_get("CREDIT_LEAVE_CREDITS_PER_HOUR", int),
        bonus_yuan_per_credit=_get("CREDIT_BONUS_YUAN_PER_CREDIT", int),
        timezone=_get("CREDIT_TIMEZONE", str),
        webhook_url=_get("HR_WEBHOOK_URL", str, ""),
        webhook_secret=_get("HR_WEBHOOK_SECRET", str, ""),
        webhook_timeout=_get("HR_WEBHOOK_TIMEOUT_SECONDS", float),
        webhook_max_attempts=_get("HR_WEBHOOK_MAX_ATTEMPTS", int),
        webhook_backoff=_get("HR_WEBHOOK_BACKOFF_SECONDS", float),
        webhook_backoff_max=_get("HR_WEBHOOK_BACKOFF_MAX_SECONDS", float),
    )


def _get(name: str, convert: Any, fallback: Any = None) -> Any:
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(name)
    if value is None:
        value = getattr(defaults, name, fallback)
    return convert(value)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def _roles(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(value)
