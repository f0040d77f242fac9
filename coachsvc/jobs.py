"""RQ job functions. Jobs take ids, open their own sessions, call services and commit.

`process_activity` moves a record through queued → transcribing → analyzing → done, or failed
with a reason. Re-running it is idempotent: a done record is left alone, and its segments and
analysis results are replaced, never duplicated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from rq import get_current_job
from sqlalchemy import delete

from coachsvc import radar
from coachsvc.db import session_scope
from coachsvc.db.models import ActivityRecord, TranscriptSegment, utcnow
from coachsvc.ingest import read_utf8
from coachsvc.privacy import mask_pii, mask_words
from coachsvc.transcripts import TranscriptFormatError, Utterance, parse_transcript, party_of

log = logging.getLogger(__name__)


class PipelineError(Exception):
    """A failure that retrying cannot fix (bad input); the record fails with this reason."""


@dataclass(frozen=True)
class RecordInfo:
    """What the pipeline steps need of a record, detached from any session."""

    id: int
    source: str
    file_path: str
    language: str
    rep_speaker: str | None
    duration_seconds: float | None


def process_activity(activity_id: int) -> str:
    """Process one activity record end to end; returns its final status."""
    info = _start(activity_id)
    if info is None:
        return "done"
    try:
        utterances = _utterances(info)
        _store_segments(info, utterances)
        _set_status(info.id, "analyzing", progress=0.95)
        with session_scope() as session:
            record = session.get(ActivityRecord, info.id)
            analyze_record(session, record)
            radar.update_for_record(session, record.id)  # behaviour scores + aggregates (radar)
            record.status, record.progress, record.processed_at = "done", 1.0, utcnow()
        _report_meta(1.0, "done")
        return "done"
    except PipelineError as exc:
        _fail(info.id, str(exc))
        return "failed"
    except Exception as exc:
        _fail_or_retry(info.id, exc)
        raise


def analyze_record(session, record: ActivityRecord) -> None:
    """Run the call analysis over a record's stored segments and replace its results (objections,
    roles, next steps, coverage gaps, signals): re-running it never duplicates anything."""
    from coachsvc.analysis.store import analyze_and_store

    analyze_and_store(session, record)


def report_progress(activity_id: int, fraction: float, status: str | None = None) -> None:
    """Write progress to the record row (the pages read it) and to job.meta."""
    _set_status(activity_id, status, progress=fraction)
    _report_meta(fraction, status)


# --- steps ---------------------------------------------------------------------------------------


def _start(activity_id: int) -> RecordInfo | None:
    with session_scope() as session:
        record = session.get(ActivityRecord, activity_id)
        if record is None:
            raise PipelineError(f"activity {activity_id} does not exist")
        if record.status == "done":
            return None
        record.status = "transcribing" if record.source == "audio" else "analyzing"
        record.progress, record.failure_reason = 0.0, None
        record.attempts += 1
        return RecordInfo(
            record.id,
            record.source,
            record.file_path,
            record.language,
            record.rep_speaker,
            record.duration_seconds,
        )


def _utterances(info: RecordInfo) -> list[Utterance]:
    if info.source == "chat":
        return _parse_chat(info)
    return transcribe_audio(info, lambda f: report_progress(info.id, 0.9 * f, "transcribing"))


def _parse_chat(info: RecordInfo) -> list[Utterance]:
    try:
        return parse_transcript(read_utf8(info.file_path))[1]
    except FileNotFoundError as exc:
        raise PipelineError("上传的文件已不存在 (the uploaded file is missing)") from exc
    except TranscriptFormatError as exc:
        raise PipelineError(f"聊天记录无法解析：{exc}") from exc


def transcribe_audio(info: RecordInfo, on_progress: Callable[[float], None]) -> list[Utterance]:
    """Audio → speaker-attributed utterances (the ASR service)."""
    from rq.timeouts import JobTimeoutException

    from coachsvc.asr import AudioInputError, ModelUnavailable, transcribe_path

    try:
        return transcribe_path(info.file_path, info.language, on_progress, rep_hint=info.rep_speaker)
    except AudioInputError as exc:
        raise PipelineError(str(exc)) from exc
    except ModelUnavailable as exc:
        raise PipelineError(f"语音识别模型不可用：{exc}") from exc
    except JobTimeoutException as exc:  # the job's time limit (JOB_TIMEOUT_SECONDS) struck
        raise PipelineError(f"转写超时，超过任务时限 (transcription timed out: {exc})") from exc


def _store_segments(info: RecordInfo, utterances: list[Utterance]) -> None:
    """Replace the record's segments in one transaction."""
    with session_scope() as session:
        session.execute(delete(TranscriptSegment).where(TranscriptSegment.activity_id == info.id))
        session.add_all(
            TranscriptSegment(
                activity_id=info.id,
                idx=i,
                speaker=u.speaker,
                party=u.party or party_of(u.speaker, info.rep_speaker),
                start=u.start,
                end=u.end,
                line_no=u.line_no,
                text=mask_pii(u.text),
                words=mask_words(getattr(u, "words", None)),
            )
            for i, u in enumerate(utterances)
        )


def _set_status(activity_id: int, status: str | None, progress: float | None = None) -> None:
    with session_scope() as session:
        record = session.get(ActivityRecord, activity_id)
        if status:
            record.status = status
        if progress is not None:
            record.progress = round(min(max(progress, 0.0), 1.0), 4)


def _fail(activity_id: int, reason: str) -> None:
    log.warning("activity %s failed: %s", activity_id, reason)
    with session_scope() as session:
        record = session.get(ActivityRecord, activity_id)
        record.status, record.failure_reason = "failed", reason[:2000]
    _report_meta(None, "failed")


def _fail_or_retry(activity_id: int, exc: Exception) -> None:
    job = get_current_job()
    retries_left = bool(job and job.retries_left)
    log.exception("activity %s: unexpected error (retry=%s)", activity_id, retries_left)
    reason = f"处理出错：{type(exc).__name__}: {exc}"
    with session_scope() as session:
        record = session.get(ActivityRecord, activity_id)
        if retries_left:
            record.status, record.failure_reason = "queued", f"{reason}（将自动重试）"
        else:
            record.status, record.failure_reason = "failed", reason[:2000]


def _report_meta(progress: float | None, status: str | None) -> None:
    job = get_current_job()
    if job is None:
        return
    if progress is not None:
        job.meta["progress"] = progress
    if status:
        job.meta["status"] = status
    job.save_meta()
