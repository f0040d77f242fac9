"""Ingest: check an uploaded call recording or chat transcript, store it once, record it, queue it."""

from __future__ import annotations

import codecs
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachsvc import storage
from coachsvc.config import LANGUAGES, STAGES
from coachsvc.db.models import ActivityRecord, Customer, Deal, User
from coachsvc.media import AUDIO_SUFFIXES, AudioError, probe_audio
from coachsvc.transcripts import TranscriptFormatError, parse_transcript

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".json", ".text", ".log", ".csv"}
MAX_TEXT_BYTES = 20 * 1024 * 1024


class UploadError(Exception):
    """A rejected upload: HTTP status, a stable error code and a message naming the problem."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@dataclass
class UploadMeta:
    customer: str | None = None
    deal_id: int | None = None
    stage: str | None = None
    visit_date: dt.date | None = None
    language: str = "zh"
    rep_speaker: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def submit_activity(
    session: Session, user: User, filename: str, stream: BinaryIO, meta: UploadMeta
) -> ActivityRecord:
    """Store, check and record an upload, commit, then enqueue its processing."""
    record = create_activity(session, user, filename, stream, meta)
    enqueue_processing(session, record)
    return record


def create_activity(
    session: Session, user: User, filename: str, stream: BinaryIO, meta: UploadMeta
) -> ActivityRecord:
    """Check and record an upload (committed); on any error nothing is left behind."""
    _check_meta(session, user, meta)
    cfg = current_app.config
    try:
        staged = storage.stage_stream(stream, cfg["UPLOAD_DIR"], int(cfg["MAX_UPLOAD_MB"] * 2**20))
    except storage.TooLarge:
        raise UploadError(413, "file_too_large", f"文件超过 {cfg['MAX_UPLOAD_MB']:g} MB 上限") from None
    try:
        source, file_format, duration = _check_content(staged, filename)
        _reject_duplicate(session, user, staged.sha256)
    except BaseException:
        storage.discard(staged.path)
        raise
    suffix = Path(filename).suffix.lower()[:10]
    path = storage.keep(staged, cfg["UPLOAD_DIR"], suffix)
    record = ActivityRecord(
        rep_id=user.id,
        customer_id=_customer_id(session, meta.customer),
        deal_id=meta.deal_id,
        stage=meta.stage,
        visit_date=meta.visit_date or dt.date.today(),
        source=source,
        language=meta.language,
        rep_speaker=meta.rep_speaker,
        file_path=str(path),
        file_name=Path(filename).name[:255],
        file_sha256=staged.sha256,
        file_size=staged.size,
        file_format=file_format,
        duration_seconds=duration,
        status="queued",
    )
    session.add(record)
    try:
        session.commit()
    except BaseException as exc:
        session.rollback()
        _discard_if_unreferenced(session, path, staged.sha256)
        if isinstance(exc, IntegrityError):
            raise UploadError(409, "duplicate", "同一文件已上传过 (this file was uploaded before)") from exc
        raise
    return record


def processing_timeout(record: ActivityRecord) -> int:
    """Seconds a record's processing job may run. It also bounds how long a killed worker's job
    goes unnoticed (the simple worker's heartbeat lasts the time limit plus 60 s), so it is sized
    by the work: a base (`PROCESSING_TIMEOUT_SECONDS`: a chat transcript is analysed in well under
    a second) plus, for a recording, its length times `AUDIO_JOB_SECONDS_PER_SECOND` (transcription
    runs at a real-time factor of 0.13 measured; 1.0 leaves room for a busy machine). A recording
    of unknown length gets `JOB_TIMEOUT_SECONDS`."""
    cfg = current_app.config
    base = cfg["PROCESSING_TIMEOUT_SECONDS"]
    if record.source != "audio":
        return base
    if not record.duration_seconds:
        return cfg["JOB_TIMEOUT_SECONDS"]
    return max(1, int(base + cfg["AUDIO_JOB_SECONDS_PER_SECOND"] * record.duration_seconds))


def enqueue_processing(session: Session, record: ActivityRecord) -> None:
    """Queue the record's processing (after its row is committed); the job id is the row's key."""
    from coachsvc.jobs import process_activity
    from coachsvc.queue import enqueue

    try:
        enqueue(
            process_activity,
            record.id,
            job_id=f"activity-{record.id}-{record.attempts}",
            job_timeout=processing_timeout(record),
        )
    except Exception as exc:  # the queue is down: keep the upload, say so, let it be retried
        log.exception("enqueue failed for activity %s", record.id)
        record.status, record.failure_reason = "failed", f"队列不可用，请稍后重试 (queue unavailable: {exc})"
        session.commit()
        raise UploadError(503, "queue_unavailable", record.failure_reason, activity_id=record.id) from exc


def requeue(session: Session, record: ActivityRecord) -> None:
    """Run a failed (or stuck) record again from the start."""
    record.status, record.progress, record.failure_reason = "queued", 0.0, None
    session.commit()
    enqueue_processing(session, record)


def _check_meta(session: Session, user: User, meta: UploadMeta) -> None:
    if meta.stage is not None and meta.stage not in STAGES:
        raise UploadError(422, "invalid_stage", f"未知的销售阶段：{meta.stage}", field="stage")
    if meta.language not in LANGUAGES:
        raise UploadError(422, "invalid_language", f"不支持的语言：{meta.language}", field="language")
    if meta.deal_id is not None:
        deal = session.get(Deal, meta.deal_id)
        if deal is None or (user.role != "admin" and deal.owner_id != user.id):
            raise UploadError(422, "invalid_deal", f"找不到商机 {meta.deal_id}", field="deal_id")


def _check_content(staged: storage.StagedFile, filename: str) -> tuple[str, str, float | None]:
    """Return (source, format, duration) or raise UploadError naming the problem."""
    if staged.size == 0:
        raise UploadError(400, "empty_file", "文件为空 (the file is empty)")
    suffix = Path(filename).suffix.lower()
    if suffix in TEXT_SUFFIXES or (suffix not in AUDIO_SUFFIXES and _looks_textual(staged.head)):
        return "chat", _check_transcript(staged), None
    if suffix not in AUDIO_SUFFIXES and not _has_audio_magic(staged.head):
        raise UploadError(
            415, "unsupported_type", f"不支持的文件类型：{suffix or '无扩展名'}（请上传录音或聊天记录）"
        )
    try:
        info = probe_audio(staged.path)
    except AudioError as exc:
        raise UploadError(422, "corrupt_audio", str(exc)) from exc
    limit = current_app.config["MAX_AUDIO_SECONDS"]
    if info.duration is not None and info.duration > limit:
        raise UploadError(422, "audio_too_long", f"录音时长 {info.duration:.0f} 秒，超过 {limit:.0f} 秒上限")
    return "audio", info.format, info.duration


def _check_transcript(staged: storage.StagedFile) -> str:
    if staged.size > MAX_TEXT_BYTES:
        raise UploadError(413, "file_too_large", "聊天记录超过 20 MB 上限")
    text = read_utf8(staged.path)
    try:
        fmt, _ = parse_transcript(text)
    except TranscriptFormatError as exc:
        raise UploadError(422, "unknown_format", f"无法识别的聊天记录格式：{exc}") from exc
    return f"chat-{fmt}"


def read_utf8(path: Path | str) -> str:
    """Decode a text file as UTF-8 in chunks, naming the byte offset of the first bad byte."""
    decoder, parts, offset = codecs.getincrementaldecoder("utf-8")(), [], 0
    with open(path, "rb") as fh:
        while chunk := fh.read(storage.CHUNK):
            try:
                parts.append(decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                raise UploadError(
                    422, "invalid_utf8", f"文本不是有效的 UTF-8 编码（第 {offset + exc.start} 字节）"
                ) from exc
            offset += len(chunk)
        try:
            parts.append(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise UploadError(422, "invalid_utf8", "文本不是有效的 UTF-8 编码（结尾不完整）") from exc
    return "".join(parts)


_AUDIO_MAGIC = (b"RIFF", b"ID3", b"OggS", b"fLaC", b"#!AMR", b"\x1a\x45\xdf\xa3")


def _has_audio_magic(head: bytes) -> bool:
    return (
        head.startswith(_AUDIO_MAGIC)
        or head[4:8] == b"ftyp"
        or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf1", b"\xff\xf9")
    )


def _looks_textual(head: bytes) -> bool:
    if b"\x00" in head or _has_audio_magic(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut by the 4 KB window
    return True


def _reject_duplicate(session: Session, user: User, sha256: str) -> None:
    existing = session.scalar(
        select(ActivityRecord.id).where(
            ActivityRecord.rep_id == user.id, ActivityRecord.file_sha256 == sha256
        )
    )
    if existing is not None:
        raise UploadError(409, "duplicate", f"同一文件已上传过（记录 {existing}）", activity_id=existing)


def _customer_id(session: Session, name: str | None) -> int | None:
    if not name or not name.strip():
        return None
    name = name.strip()[:200]
    customer = session.scalar(select(Customer).where(Customer.name == name))
    if customer is None:
        customer = Customer(name=name)
        session.add(customer)
        session.flush()
    return customer.id


def _discard_if_unreferenced(session: Session, path: Path, sha256: str) -> None:
    if session.scalar(select(ActivityRecord.id).where(ActivityRecord.file_sha256 == sha256)) is None:
        storage.discard(path)
