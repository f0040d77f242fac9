"""Mentoring sessions: logging one (recording and key-point annotations), the standard that decides
whether it earns credits, submission and the trainer's review, and scoped queries.

Status: draft → submitted → approved (credits awarded) | rejected (the mentor fixes it and submits
again). A session is edited only while draft or rejected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from coachsvc import storage
from coachsvc.behaviours import BEHAVIOUR_LABELS
from coachsvc.credits import CreditError
from coachsvc.credits.ledger import append_entry, can_review, commit_and_export, lock_account
from coachsvc.credits.settings import CreditSettings, credit_settings
from coachsvc.db.credits import CreditEntry, MentoringSession, SessionAnnotation
from coachsvc.db.models import ActivityRecord, User, utcnow
from coachsvc.ingest import UploadError
from coachsvc.media import AUDIO_SUFFIXES, AudioError, probe_audio

EDITABLE = ("draft", "rejected")
STATUS_LABELS = {"draft": "草稿", "submitted": "待审核", "approved": "已通过", "rejected": "已驳回"}
MAX_ANNOTATION_CHARS = 1000


@dataclass
class AnnotationInput:
    at_seconds: float
    text: str
    behaviour: str | None = None


@dataclass
class SessionInput:
    mentee_id: int
    session_date: dt.date
    topic: str


@dataclass
class Recording:
    filename: str
    stream: BinaryIO


# --- The standard ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardItem:
    code: str  # recording | annotations | approval
    label: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class StandardCheck:
    items: tuple[StandardItem, ...]
    credits: int

    @property
    def met(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def missing(self) -> list[StandardItem]:
        return [item for item in self.items if not item.ok]

    @property
    def ready_to_submit(self) -> bool:
        """Everything the mentor provides is there (only the review may be outstanding)."""
        return all(item.ok for item in self.items if item.code != "approval")


def check_standard(ms: MentoringSession, settings: CreditSettings | None = None) -> StandardCheck:
    """What the session has and lacks against the standard, each item with a sentence saying so."""
    settings = settings or credit_settings()
    items = []
    if settings.require_recording:
        has = ms.recording_path is not None
        detail = f"已上传（{_clock(ms.recording_seconds)}）" if has else "缺少带教录音：请上传本次带教的录音"
        items.append(StandardItem("recording", "带教录音", has, detail))
    need, have = settings.min_annotations, len(ms.annotations)
    if need > 0:
        detail = f"已有 {have} 条" if have >= need else f"已有 {have} 条，还差 {need - have} 条要点标注"
        items.append(StandardItem("annotations", f"至少 {need} 条要点标注", have >= need, detail))
    if settings.require_approval:
        items.append(StandardItem("approval", "主管审核通过", ms.status == "approved", _approval_detail(ms)))
    return StandardCheck(tuple(items), settings.credits_per_session)


def _approval_detail(ms: MentoringSession) -> str:
    if ms.status == "approved":
        return f"已由 {ms.reviewer.display_name if ms.reviewer else '主管'} 审核通过"
    if ms.status == "submitted":
        return "已提交，等待主管审核"
    if ms.status == "rejected":
        return f"审核未通过：{ms.review_comment or '未说明原因'}（修改后可再次提交）"
    return "尚未提交审核"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "时长未知"
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


# --- Logging a session ------------------------------------------------------------------------------


def create_session(
    db: Session,
    mentor: User,
    data: SessionInput,
    recording: Recording | None = None,
    annotations: list[AnnotationInput] | None = None,
) -> MentoringSession:
    """Log a session (a draft); the recording is stored and checked, nothing is left on error."""
    settings = credit_settings()
    if mentor.role not in settings.mentor_roles:
        raise CreditError(403, "not_a_mentor", "只有资深销售可以登记带教 (only senior reps log sessions)")
    _check_mentee(db, mentor, data.mentee_id)
    topic = (data.topic or "").strip()
    if not topic:
        raise CreditError(422, "topic_required", "请填写带教主题", field="topic")
    ms = MentoringSession(
        mentor_id=mentor.id,
        mentee_id=data.mentee_id,
        session_date=data.session_date,
        topic=topic[:200],
        status="draft",
    )
    if recording is not None:
        _store_recording(db, ms, recording)
    try:  # timestamps are checked against the recording's duration, known once it is stored
        for item in annotations or []:
            ms.annotations.append(_annotation(item, ms.recording_seconds))
    except BaseException:
        if ms.recording_path:
            _discard_if_unreferenced(db, ms.recording_path, ms.recording_sha256)
        raise
    db.add(ms)
    _commit_keeping_files_consistent(db, ms.recording_path, ms.recording_sha256)
    return ms


def attach_recording(db: Session, mentor: User, ms: MentoringSession, recording: Recording) -> None:
    """Add or replace the recording of a draft; the replaced file goes when nothing else uses it."""
    _check_editable(mentor, ms)
    old_path, old_sha = ms.recording_path, ms.recording_sha256
    _store_recording(db, ms, recording)
    _commit_keeping_files_consistent(db, ms.recording_path, ms.recording_sha256)
    if old_path and old_sha != ms.recording_sha256:
        _discard_if_unreferenced(db, old_path, old_sha)


def add_annotation(
    db: Session, mentor: User, ms: MentoringSession, item: AnnotationInput
) -> SessionAnnotation:
    _check_editable(mentor, ms)
    annotation = _annotation(item, ms.recording_seconds)
    ms.annotations.append(annotation)
    db.commit()
    return annotation


def delete_annotation(db: Session, mentor: User, ms: MentoringSession, annotation_id: int) -> None:
    _check_editable(mentor, ms)
    annotation = next((a for a in ms.annotations if a.id == annotation_id), None)
    if annotation is None:
        raise CreditError(404, "not_found", f"标注 {annotation_id} 不存在")
    ms.annotations.remove(annotation)
    db.commit()


def _check_mentee(db: Session, mentor: User, mentee_id: int) -> User:
    mentee = db.get(User, mentee_id)
    if mentee is None or mentee.id == mentor.id or not mentee.active:
        raise CreditError(422, "invalid_mentee", "请选择一位同团队的同事作为学员", field="mentee_id")
    if mentor.team_id is None or mentee.team_id != mentor.team_id or mentee.role not in ("rep", "new_hire"):
        raise CreditError(422, "invalid_mentee", "学员须是同团队的销售或新人", field="mentee_id")
    return mentee


def _check_editable(mentor: User, ms: MentoringSession) -> None:
    if ms.mentor_id != mentor.id:
        raise CreditError(403, "forbidden", "只有带教人本人可以修改带教记录")
    if ms.status not in EDITABLE:
        raise CreditError(409, "not_editable", f"带教记录已{STATUS_LABELS[ms.status]}，不能再修改")


def _annotation(item: AnnotationInput, duration: float | None) -> SessionAnnotation:
    text = (item.text or "").strip()
    if not text:
        raise CreditError(422, "invalid_annotation", "要点内容不能为空", field="annotations")
    if len(text) > MAX_ANNOTATION_CHARS:
        raise CreditError(422, "invalid_annotation", f"要点内容不能超过 {MAX_ANNOTATION_CHARS} 字")
    at = float(item.at_seconds)
    if at != at or at < 0 or (duration is not None and at > duration + 1):
        limit = f"（录音时长 {_clock(duration)}）" if duration is not None else ""
        raise CreditError(422, "invalid_timestamp", f"时间点 {_clock(max(at, 0))} 不在录音范围内{limit}")
    if item.behaviour and item.behaviour not in BEHAVIOUR_LABELS:
        raise CreditError(422, "invalid_behaviour", f"未知的能力项：{item.behaviour}", field="behaviour")
    return SessionAnnotation(at_seconds=round(at, 2), text=text, behaviour=item.behaviour or None)


# --- Recordings -----------------------------------------------------------------------------------


def _store_recording(db: Session, ms: MentoringSession, recording: Recording) -> None:
    """Stream the upload to storage, prove it is audio, keep it content-addressed."""
    cfg = current_app.config
    suffix = Path(recording.filename or "").suffix.lower()
    if suffix not in AUDIO_SUFFIXES:
        raise UploadError(415, "unsupported_type", f"不支持的录音格式：{suffix or '无扩展名'}")
    try:
        staged = storage.stage_stream(recording.stream, cfg["UPLOAD_DIR"], int(cfg["MAX_UPLOAD_MB"] * 2**20))
    except storage.TooLarge:
        raise UploadError(413, "file_too_large", f"录音超过 {cfg['MAX_UPLOAD_MB']:g} MB 上限") from None
    try:
        info = _check_audio(staged)
        _reject_duplicate(db, staged.sha256, ms.id)
    except BaseException:
        storage.discard(staged.path)
        raise
    path = storage.keep(staged, cfg["UPLOAD_DIR"], suffix)
    ms.recording_path, ms.recording_name = str(path), Path(recording.filename).name[:255]
    ms.recording_sha256, ms.recording_size = staged.sha256, staged.size
    ms.recording_format, ms.recording_seconds = info.format, info.duration


def _check_audio(staged: storage.StagedFile):
    if staged.size == 0:
        raise UploadError(400, "empty_file", "录音文件为空")
    try:
        info = probe_audio(staged.path)
    except AudioError as exc:
        raise UploadError(422, "corrupt_audio", str(exc)) from exc
    limit = current_app.config["MAX_AUDIO_SECONDS"]
    if info.duration is not None and info.duration > limit:
        raise UploadError(422, "audio_too_long", f"录音时长 {info.duration:.0f} 秒，超过 {limit:.0f} 秒上限")
    return info


def _reject_duplicate(db: Session, sha256: str, own_id: int | None) -> None:
    existing = db.scalar(select(MentoringSession.id).where(MentoringSession.recording_sha256 == sha256))
    if existing is not None and existing != own_id:
        raise UploadError(
            409,
            "duplicate_recording",
            f"这段录音已用于带教记录 #{existing}，同一录音只能登记一次",
            session_id=existing,
        )


def _commit_keeping_files_consistent(db: Session, path: str | None, sha256: str | None) -> None:
    try:
        db.commit()
    except BaseException as exc:
        db.rollback()
        if path:
            _discard_if_unreferenced(db, path, sha256)
        if isinstance(exc, IntegrityError):
            raise UploadError(409, "duplicate_recording", "这段录音已登记过，同一录音只能登记一次") from exc
        raise


def _discard_if_unreferenced(db: Session, path: str, sha256: str | None) -> None:
    used = db.scalar(select(MentoringSession.id).where(MentoringSession.recording_sha256 == sha256))
    used = used or db.scalar(select(ActivityRecord.id).where(ActivityRecord.file_sha256 == sha256))
    if used is None:
        storage.discard(path)


# --- Submission and review --------------------------------------------------------------------------


def submit(db: Session, mentor: User, ms: MentoringSession) -> MentoringSession:
    """Send a session for review; without required approval a complete session earns at once."""
    _check_editable(mentor, ms)
    settings = credit_settings()
    check = check_standard(ms, settings)
    if not check.ready_to_submit:
        raise _not_met(check)
    if settings.require_approval:
        ms.status, ms.submitted_at = "submitted", utcnow()
        db.commit()
        return ms
    ms.submitted_at = utcnow()
    db.commit()
    return _award(db, ms.id, reviewer=None, comment=None, from_status=ms.status)


def approve(
    db: Session, reviewer: User, ms: MentoringSession, comment: str | None = None
) -> MentoringSession:
    """A trainer of the mentor's team (or an admin) approves: the session's credits are awarded."""
    _check_reviewer(db, reviewer, ms)
    if ms.status != "submitted":
        raise CreditError(409, "not_submitted", f"带教记录{STATUS_LABELS[ms.status]}，不在待审核状态")
    return _award(db, ms.id, reviewer=reviewer, comment=comment, from_status="submitted")


def reject(db: Session, reviewer: User, ms: MentoringSession, comment: str) -> MentoringSession:
    _check_reviewer(db, reviewer, ms)
    comment = (comment or "").strip()
    if not comment:
        raise CreditError(422, "comment_required", "请写明驳回原因，带教人会看到它")
    moved = db.execute(
        update(MentoringSession)
        .where(MentoringSession.id == ms.id, MentoringSession.status == "submitted")
        .values(
            status="rejected", reviewer_id=reviewer.id, reviewed_at=utcnow(), review_comment=comment[:2000]
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.rollback()
        raise CreditError(409, "not_submitted", "带教记录不在待审核状态")
    db.commit()
    return _reload(db, ms.id)


def _award(
    db: Session, session_id: int, reviewer: User | None, comment: str | None, from_status: str
) -> MentoringSession:
    """Mark the session approved and append its award, in one transaction under the mentor's lock."""
    mentor_id = db.scalar(select(MentoringSession.mentor_id).where(MentoringSession.id == session_id))
    db.rollback()  # start the locked transaction fresh: nothing read before it may be relied upon
    lock_account(db, mentor_id)
    ms = _reload(db, session_id)
    check = check_standard(ms)
    if not check.ready_to_submit:
        db.rollback()
        raise _not_met(check)
    moved = db.execute(
        update(MentoringSession)
        .where(MentoringSession.id == session_id, MentoringSession.status == from_status)
        .values(
            status="approved",
            reviewer_id=reviewer.id if reviewer else None,
            reviewed_at=utcnow(),
            review_comment=(comment or "").strip()[:2000] or None,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # approved (or rejected) meanwhile by someone else: award nothing
        db.rollback()
        raise CreditError(409, "not_submitted", "带教记录已被处理，请刷新")
    entry = append_entry(
        db,
        user_id=ms.mentor_id,
        kind="award",
        amount=check.credits,
        actor_id=reviewer.id if reviewer else None,
        reason=f"带教记录 #{ms.id} 审核通过：{ms.topic}",
        session_id=ms.id,
    )
    commit_and_export(db, [entry])
    return _reload(db, session_id)


def _check_reviewer(db: Session, reviewer: User, ms: MentoringSession) -> None:
    mentor = db.get(User, ms.mentor_id)
    if not can_review(reviewer, mentor):
        raise CreditError(403, "forbidden", "只有带教人所在团队的主管或管理员可以审核")


def _not_met(check: StandardCheck) -> CreditError:
    missing = [item for item in check.missing if item.code != "approval"]
    return CreditError(
        422,
        "standard_not_met",
        "带教记录未达标：" + "；".join(item.detail for item in missing),
        missing=[{"code": item.code, "label": item.label, "detail": item.detail} for item in missing],
    )


def _reload(db: Session, session_id: int) -> MentoringSession:
    return db.scalar(
        select(MentoringSession)
        .where(MentoringSession.id == session_id)
        .options(
            selectinload(MentoringSession.annotations),
            selectinload(MentoringSession.mentor),
            selectinload(MentoringSession.mentee),
            selectinload(MentoringSession.reviewer),
        )
        .execution_options(populate_existing=True)
    )


# --- Queries --------------------------------------------------------------------------------------


def scope_sessions(query: Select, viewer: User) -> Select:
    """Sessions `viewer` may see: their own (as mentor or mentee); a trainer's team's; all for admins."""
    if viewer.role == "admin":
        return query
    own = or_(MentoringSession.mentor_id == viewer.id, MentoringSession.mentee_id == viewer.id)
    if viewer.role == "trainer" and viewer.team_id is not None:
        mentor = aliased(User)
        team = select(mentor.id).where(mentor.team_id == viewer.team_id)
        return query.where(or_(own, MentoringSession.mentor_id.in_(team)))
    return query.where(own)


def get_session(db: Session, viewer: User, session_id: int) -> MentoringSession | None:
    """The session, or None when it does not exist or `viewer` may not see it."""
    query = scope_sessions(select(MentoringSession), viewer).where(MentoringSession.id == session_id)
    return db.scalar(
        query.options(
            selectinload(MentoringSession.annotations),
            selectinload(MentoringSession.mentor),
            selectinload(MentoringSession.mentee),
            selectinload(MentoringSession.reviewer),
        )
    )


def list_sessions(
    db: Session, viewer: User, status: str | None = None, mentor_id: int | None = None, limit: int = 200
) -> list[MentoringSession]:
    query = scope_sessions(select(MentoringSession), viewer)
    if status:
        query = query.where(MentoringSession.status == status)
    if mentor_id is not None:
        query = query.where(MentoringSession.mentor_id == mentor_id)
    query = query.options(
        selectinload(MentoringSession.annotations),
        selectinload(MentoringSession.mentor),
        selectinload(MentoringSession.mentee),
        selectinload(MentoringSession.reviewer),
    )
    return list(
        db.scalars(
            query.order_by(MentoringSession.session_date.desc(), MentoringSession.id.desc()).limit(limit)
        )
    )


def review_queue(db: Session, viewer: User) -> list[MentoringSession]:
    """Submitted sessions `viewer` may review (none for reps)."""
    if viewer.role not in ("trainer", "admin"):
        return []
    return [
        ms
        for ms in list_sessions(db, viewer, status="submitted")
        if ms.mentor_id != viewer.id and can_review(viewer, ms.mentor)
    ]


def eligible_mentees(db: Session, mentor: User) -> list[User]:
    if mentor.team_id is None:
        return []
    return list(
        db.scalars(
            select(User)
            .where(
                User.team_id == mentor.team_id,
                User.id != mentor.id,
                User.active.is_(True),
                User.role.in_(("rep", "new_hire")),
            )
            .order_by(User.role.desc(), User.display_name)
        )
    )


def award_entries(db: Session, session_ids: list[int]) -> dict[int, CreditEntry]:
    """The award entry of each session that has one."""
    if not session_ids:
        return {}
    rows = db.scalars(
        select(CreditEntry).where(CreditEntry.session_id.in_(session_ids), CreditEntry.kind == "award")
    )
    return {entry.session_id: entry for entry in rows}


def count_by_status(db: Session, viewer: User) -> dict[str, int]:
    query = scope_sessions(select(MentoringSession.status, func.count()), viewer).group_by(
        MentoringSession.status
    )
    return {status: n for status, n in db.execute(query).all()}
