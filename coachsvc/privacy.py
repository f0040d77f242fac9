"""Personal data masking: mobile and landline numbers, ID-card and bank-card numbers and email
addresses are replaced by a label before they are stored, shown, answered or logged.

On by default; `MASK_PII=0` (environment) or the app config `MASK_PII: False` turns it off.
`init_app` masks every log record of the process and every HTML/JSON response of the app.
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Any

from flask import Flask, Response, current_app, has_app_context

__all__ = ["mask_pii", "mask_words", "mask_enabled", "init_app", "PII_LABELS"]

#: What a masked value becomes (the UI is Chinese).
PII_LABELS = {
    "email": "[邮箱]",
    "id_card": "[身份证号]",
    "bank_card": "[银行卡号]",
    "mobile": "[手机号]",
    "landline": "[电话]",
}

# A number must not run on into letters or digits (hex ids, hashes, longer numbers stay whole).
_L, _R = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
_SEP = r"[\s\-]?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")),
    # 18-digit resident ID: region, birth date, sequence, check digit (digit or X)
    (
        "id_card",
        re.compile(
            rf"{_L}[1-9]\d{{5}}(?:18|19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{3}}[\dXx]{_R}"
        ),
    ),
    # 15-digit legacy ID
    ("id_card", re.compile(rf"{_L}[1-9]\d{{5}}\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{3}}{_R}")),
    # bank cards: 16-19 digits, possibly in groups of four
    ("bank_card", re.compile(rf"{_L}\d{{4}}(?:{_SEP}\d{{4}}){{3}}(?:{_SEP}?\d{{1,3}})?{_R}")),
    ("bank_card", re.compile(rf"{_L}\d{{16,19}}{_R}")),
    ("mobile", re.compile(rf"{_L}(?:\+?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}{_R}")),
    ("landline", re.compile(rf"{_L}(?:\(0\d{{2,3}}\)|0\d{{2,3}}){_SEP}\d{{7,8}}(?:-\d{{1,5}})?{_R}")),
    ("landline", re.compile(rf"{_L}[48]00{_SEP}\d{{3}}{_SEP}\d{{4}}{_R}")),
    # a number spoken in Chinese digits (ASR): 11 or more in a row
    ("mobile", re.compile(r"[零〇一幺二两三四五六七八九]{11,}")),
]
_ANY_DIGIT = re.compile(r"[0-9@零〇一幺二两三四五六七八九]")


def mask_enabled() -> bool:
    """The app's MASK_PII (inside an app context), else the environment (default on)."""
    if has_app_context() and "MASK_PII" in current_app.config:
        return bool(current_app.config["MASK_PII"])
    return os.environ.get("MASK_PII", "1").strip().lower() not in ("0", "false", "no", "off")


def mask_pii(text: str | None, force: bool | None = None) -> str | None:
    """`text` with every phone, ID-card, bank-card number and email replaced by its label."""
    if not text or not (force if force is not None else mask_enabled()):
        return text
    if not _ANY_DIGIT.search(text):
        return text
    for kind, pattern in _PATTERNS:
        text = pattern.sub(PII_LABELS[kind], text)
    return text


def mask_words(words: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Mask word-level ASR output: a number spread over several words is found in their joined
    text; the first word it touches carries the label, the others become empty."""
    if not words or not mask_enabled():
        return words
    joined, bounds = "", []
    for w in words:
        bounds.append((len(joined), len(joined) + len(str(w.get("word", "")))))
        joined += str(w.get("word", ""))
    spans = [(m.start(), m.end(), PII_LABELS[k]) for k, p in _PATTERNS for m in p.finditer(joined)]
    if not spans:
        return words
    out = [dict(w) for w in words]
    for start, end, label in spans:
        touched = [i for i, (a, b) in enumerate(bounds) if a < end and b > start]
        for n, i in enumerate(touched):
            out[i]["word"] = label if n == 0 else ""
    return out


def mask_data(value: Any) -> Any:
    """Mask every string inside a JSON-like value."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, list):
        return [mask_data(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_data(v) for k, v in value.items()}
    return value


# --- logs ---------------------------------------------------------------------------------------

_factory_installed = False


def install_log_masking() -> None:
    """Mask the message and traceback of every log record this process creates (once)."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if not mask_enabled():
            return record
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return record
        masked = mask_pii(message, force=True)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_pii(logging.Formatter().formatException(record.exc_info), force=True)
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


class PiiLogFilter(logging.Filter):
    """A handler filter for logs that bypass the record factory (e.g. records made by hand)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if mask_enabled():
            message = record.getMessage()
            masked = mask_pii(message, force=True)
            if masked != message:
                record.msg, record.args = masked, None
        return True


# --- responses ----------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Mask logs and the app's HTML and JSON answers (a last line of defence: stored transcripts
    and analysis results are masked already)."""
    app.config.setdefault("MASK_PII", mask_enabled())
    install_log_masking()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
            handler.addFilter(PiiLogFilter())
    app.after_request(_mask_response)


def _mask_response(response: Response) -> Response:
    if not current_app.config.get("MASK_PII") or response.direct_passthrough or response.is_streamed:
        return response
    mimetype = response.mimetype or ""
    if mimetype == "application/json":
        data = response.get_json(silent=True)
        if data is not None:
            masked = mask_data(data)
            if masked != data:
                response.set_data(json.dumps(masked, ensure_ascii=False))
    elif mimetype == "text/html":
        body = response.get_data(as_text=True)
        masked = mask_pii(body)
        if masked != body:
            response.set_data(masked)
    return response
