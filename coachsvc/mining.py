"""Top-performer mining: real answers to customer objections, cut from won deals' calls.

1. Top performers: reps ranked by win rate (won / closed deals, at least `MIN_CLOSED_DEALS`) or by
   won revenue; the top N (`DRILL_TOP_N`, `DRILL_TOP_BY` in the app config or environment).
2. From their calls on won deals (`ActivityRecord.deal_id` -> `Deal.outcome == "won"`), every
   customer objection (`Objection.segment_idx`) and the rep's answer become a clip: the objection
   segment, then the rep segments that follow it (a customer's continuation before the rep speaks
   is skipped) until the customer speaks again, `MAX_ANSWER_SEGMENTS` or `MAX_CLIP_SECONDS`.
3. Each answer is tagged with answer moves by rules (`ANSWER_MOVES`): a move is made in the
   clause where its first cue phrase starts (a cue may be a pattern spanning clauses of one
   sentence, "如果签三年，我可以申请九折"); moves are ordered by that clause, ties by the table's
   order. Cue lists are hand-written from the domain's examples; a clause may make more than one
   move ("理解，您说的贵是和哪家比" = empathize, clarify).
4. Patterns per objection category: which move successful answers make first (count and share),
   and the ordered pair of moves most often made in that order ("confirm timing before
   instalments"), over all answers of the category. Softeners ("理解") are not counted as moves
   there. "Successful" answers are those of the top performers' won deals.

Clips are stored in `top_clips`, keyed by objection: re-mining updates them in place and removes
clips whose objection or deal no longer qualifies.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from coachsvc.db import session_scope
from coachsvc.db.drills import TopClip
from coachsvc.db.models import ActivityRecord, Deal, Objection, TranscriptSegment, User, utcnow
from coachsvc.scenarios import CATEGORIES, CATEGORY_LABELS, Scenario

log = logging.getLogger(__name__)

# --- Product constants of mining (decisions; defaults overridable by app config / environment) ---

#: How many top performers to mine, and by what: "win_rate" or "revenue".
DEFAULT_TOP_N = 3
DEFAULT_TOP_BY = "win_rate"
TOP_BY_CHOICES = ("win_rate", "revenue")
#: A win rate over fewer closed deals says little; reps below this are ranked after the others.
MIN_CLOSED_DEALS = 2
#: The answer to an objection: at most this many rep segments, this long in all.
MAX_ANSWER_SEGMENTS = 4
MAX_CLIP_SECONDS = 90.0
#: A customer may go on for this many segments before the rep answers.
MAX_CUSTOMER_CONTINUATION = 2
#: Clips a drill result offers.
CLIPS_PER_RESULT = 3

#: Answer moves: id -> (label, cue phrases or regular expressions). Order breaks ties.
ANSWER_MOVES: dict[str, tuple[str, tuple[str, ...]]] = {
    "empathize": ("表示理解", ("理解", "明白", "确实", "您说得对", "能理解", "谢谢您直说")),
    "clarify": (
        "澄清顾虑",
        (
            "是指",
            "具体",
            "哪家",
            "哪一家",
            "哪些",
            "主要是",
            "担心的是",
            "顾虑",
            "说说",
            "想了解",
            "方便问",
            "是和",
            "跟哪",
            "和哪",
        ),
    ),
    "confirm_timing": (
        "确认采购时间",
        (
            "什么时候",
            "哪个月",
            "几月",
            "时间点",
            "时间节点",
            "明年",
            "下个季度",
            "财年",
            "预算周期",
            "最晚",
            "下一轮预算",
        ),
    ),
    "reframe_value": (
        "重塑价值",
        (
            "算一笔账",
            "算笔账",
            "回本",
            "回报",
            "节省",
            "省下",
            "降本",
            "总成本",
            "收益",
            "roi",
            "损失",
            "价值",
        ),
    ),
    "case_study": ("同行案例", ("案例", "同行", "老客户", "有一家", "有家", "客户也", "参观")),
    "instalments": ("分期付款", ("分期", "分批", "首付", "分阶段付", "里程碑付款", "按月付", "分两期付")),
    "concession_trade": (
        "交换让步",
        (r"如果[^。！？!?]{0,24}(可以|就|去申请|争取)", "前提是", "作为交换", "条件是", "换一个"),
    ),
    "pilot": ("试点验证", ("试点", "试用", "演示", "并行", "概念验证", "先上一")),
    "decision_access": ("对接决策人", ("老板", "总经理", "拍板", "上会", "汇报", "领导")),
    "service_commitment": ("服务承诺", ("响应", "小时内", "驻场", "专属", "工程师", "服务等级")),
    "next_step": ("约定下一步", ("下周", r"周[一二三四五]", "明天", "约个时间", "月底前", "会后")),
}
MOVE_LABELS = {k: v[0] for k, v in ANSWER_MOVES.items()}
#: Moves that soften rather than answer ("理解，..."): kept on the clip, left out of the first move
#: and of the pattern statistics, which are about how the objection itself is answered.
SOFTENERS = frozenset({"empathize"})
_MOVE_PATTERNS = {k: re.compile("|".join(v[1]), re.IGNORECASE) for k, v in ANSWER_MOVES.items()}
_SEPARATOR = re.compile(r"[。！？!?；;，,\n]+")


def tag_moves(text: str) -> list[str]:
    """The answer moves `text` makes, in the order it makes them (see the module docstring)."""
    text = text or ""
    first: dict[str, int] = {}
    for move, pattern in _MOVE_PATTERNS.items():
        match = pattern.search(text)
        if match:  # the clause the cue starts in
            first[move] = len(_SEPARATOR.findall(text, 0, match.start()))
    order = list(ANSWER_MOVES)
    return sorted(first, key=lambda m: (first[m], order.index(m)))


# --- top performers ---------------------------------------------------------------------------------


@dataclass
class Performer:
    user_id: int
    name: str
    won: int
    closed: int
    revenue: float

    @property
    def win_rate(self) -> float:
        return self.won / self.closed if self.closed else 0.0


def top_performers(session: Session, n: int | None = None, by: str | None = None) -> list[Performer]:
    """The top `n` reps by win rate (ties: revenue) or by won revenue (ties: win rate)."""
    n, by = n or mining_setting("DRILL_TOP_N"), by or mining_setting("DRILL_TOP_BY")
    if by not in TOP_BY_CHOICES:
        raise ValueError(f"unknown ranking {by!r}: choose {', '.join(TOP_BY_CHOICES)}")
    won = func.sum(case((Deal.outcome == "won", 1), else_=0))
    closed = func.sum(case((Deal.outcome.in_(("won", "lost")), 1), else_=0))
    revenue = func.coalesce(func.sum(case((Deal.outcome == "won", Deal.amount), else_=0.0)), 0.0)
    rows = session.execute(
        select(User.id, User.display_name, won, closed, revenue)
        .join(Deal, Deal.owner_id == User.id)
        .where(User.role == "rep", User.active.is_(True))
        .group_by(User.id, User.display_name)
    ).all()
    reps = [Performer(r[0], r[1], int(r[2] or 0), int(r[3] or 0), float(r[4] or 0)) for r in rows]
    reps = [p for p in reps if p.won > 0]
    if by == "revenue":
        reps.sort(key=lambda p: (-p.revenue, -p.win_rate, p.user_id))
    else:
        reps.sort(key=lambda p: (p.closed < MIN_CLOSED_DEALS, -p.win_rate, -p.revenue, p.user_id))
    return reps[:n]


def mining_setting(name: str) -> Any:
    """DRILL_TOP_N / DRILL_TOP_BY from the app config, else the environment, else the default."""
    defaults = {"DRILL_TOP_N": DEFAULT_TOP_N, "DRILL_TOP_BY": DEFAULT_TOP_BY}
    value = current_app.config.get(name) if has_app_context() else None
    value = value if value is not None else os.environ.get(name, defaults[name])
    return int(value) if name == "DRILL_TOP_N" else str(value)


# --- mining -------------------------------------------------------------------------------------------


@dataclass
class MiningReport:
    performers: list[Performer] = field(default_factory=list)
    records: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0  # objections with no rep answer after them

    def summary(self) -> str:
        names = "、".join(p.name for p in self.performers) or "（无）"
        return (
            f"销冠：{names}；通话 {self.records} 个；片段 新增 {self.created}、更新 {self.updated}、"
            f"移除 {self.removed}；无回答跳过 {self.skipped}"
        )


def mine(session: Session, top_n: int | None = None, by: str | None = None) -> MiningReport:
    """Mine the top performers' won calls into clips (committed); returns what changed."""
    report = MiningReport(performers=top_performers(session, top_n, by))
    rep_ids = [p.user_id for p in report.performers]
    records = _won_calls(session, rep_ids)
    report.records = len(records)
    existing = {c.objection_id: c for c in session.scalars(select(TopClip))}
    kept: set[int] = set()
    for record in records:
        segments = {s.idx: s for s in record.segments}
        for objection in record.objections:
            values = _clip_values(record, objection, segments)
            if values is None:
                report.skipped += 1
                continue
            clip = existing.get(objection.id)
            if clip is None:
                session.add(TopClip(objection_id=objection.id, **values))
                report.created += 1
            else:
                for key, value in values.items():
                    setattr(clip, key, value)
                report.updated += 1
            kept.add(objection.id)
    for objection_id, clip in existing.items():
        if objection_id not in kept:
            session.delete(clip)
            report.removed += 1
    session.commit()
    _offer_cache.clear()
    log.info("mining: %s", report.summary())
    return report


def run_mining(top_n: int | None = None, by: str | None = None) -> str:
    """Job (batch queue) and CLI entry: mine with its own session; returns the summary."""
    with session_scope() as session:
        return mine(session, top_n, by).summary()


def _won_calls(session: Session, rep_ids: list[int]) -> list[ActivityRecord]:
    if not rep_ids:
        return []
    return list(
        session.scalars(
            select(ActivityRecord)
            .join(Deal, ActivityRecord.deal_id == Deal.id)
            .where(
                Deal.outcome == "won",
                ActivityRecord.rep_id.in_(rep_ids),
                ActivityRecord.status == "done",
            )
            .order_by(ActivityRecord.id)
        )
    )


def _clip_values(
    record: ActivityRecord, objection: Objection, segments: dict[int, TranscriptSegment]
) -> dict[str, Any] | None:
    asked = segments.get(objection.segment_idx) if objection.segment_idx is not None else None
    if asked is None or objection.category not in CATEGORIES:
        return None
    answer = answer_segments(segments, asked.idx)
    if not answer:
        return None
    text = "".join(s.text for s in answer)
    start = asked.start if asked.start is not None else objection.start
    end = answer[-1].end
    has_audio = record.source == "audio" and start is not None and end is not None
    moves = tag_moves(text)
    substantive = [m for m in moves if m not in SOFTENERS]
    return {
        "activity_id": record.id,
        "rep_id": record.rep_id,
        "deal_id": record.deal_id,
        "category": objection.category,
        "objection_text": objection.text or asked.text,
        "answer_text": text,
        "start": start,
        "end": end,
        "has_audio": has_audio,
        "moves": moves,
        "first_move": substantive[0] if substantive else None,
        "mined_at": utcnow(),
    }


def answer_segments(segments: dict[int, TranscriptSegment], objection_idx: int) -> list[TranscriptSegment]:
    """The rep's segments answering the objection at `objection_idx` (see the module docstring)."""
    idx, skipped = objection_idx + 1, 0
    while idx in segments and segments[idx].party != "rep" and skipped < MAX_CUSTOMER_CONTINUATION:
        idx, skipped = idx + 1, skipped + 1
    answer: list[TranscriptSegment] = []
    while idx in segments and segments[idx].party == "rep" and len(answer) < MAX_ANSWER_SEGMENTS:
        seg = segments[idx]
        if answer and seg.end is not None and answer[0].start is not None:
            if seg.end - answer[0].start > MAX_CLIP_SECONDS:
                break
        answer.append(seg)
        idx += 1
    return answer


# --- reading clips and patterns ----------------------------------------------------------------------


def list_clips(session: Session, category: str | None = None, audio_only: bool = False) -> list[TopClip]:
    query = select(TopClip).order_by(TopClip.category, TopClip.id)
    if category:
        query = query.where(TopClip.category == category)
    if audio_only:
        query = query.where(TopClip.has_audio.is_(True))
    return list(session.scalars(query))


def get_clip(session: Session, clip_id: int) -> TopClip | None:
    return session.get(TopClip, clip_id)


def get_clips(session: Session, ids: list[int]) -> list[TopClip]:
    """Clips by id, in the order given (ids of clips removed since are skipped); one query."""
    if not ids:
        return []
    rows = session.scalars(select(TopClip).where(TopClip.id.in_(ids)).options(joinedload(TopClip.rep)))
    by_id = {c.id: c for c in rows}
    return [by_id[i] for i in ids if i in by_id]


def clip_audio_path(clip: TopClip) -> Path | None:
    """The file a mined clip plays from (its record's recording), when it has audio and exists."""
    if not clip.has_audio:
        return None
    path = Path(clip.activity.file_path)
    return path if path.is_file() else None


def top_answer_texts(session: Session, category: str) -> list[str]:
    """The top performers' answers to objections of `category` (what drill answers are compared to)."""
    return list(
        session.scalars(select(TopClip.answer_text).where(TopClip.category == category).order_by(TopClip.id))
    )


_offer_cache: dict[tuple[Any, ...], list[int]] = {}
_offer_lock = threading.Lock()


def offer_clips(
    session: Session, scenario: Scenario, scorer: Any, limit: int = CLIPS_PER_RESULT
) -> list[int]:
    """Ids of the `limit` playable clips of the scenario's category whose answers best make the
    scenario's key points (ranked by the drill scorer); cached until the clips change."""
    clips = list_clips(session, scenario.category, audio_only=True)
    key = (scenario.id, limit, tuple((c.id, c.mined_at) for c in clips))
    cached = _offer_cache.get(key)
    if cached is not None:
        return cached
    ranked = sorted(clips, key=lambda c: (-scorer.score(scenario, c.answer_text).score, c.id))
    ids = [c.id for c in ranked[:limit]]
    with _offer_lock:
        if len(_offer_cache) > 512:
            _offer_cache.clear()
        _offer_cache[key] = ids
    return ids


@dataclass
class CategoryPattern:
    category: str
    total: int
    first_moves: list[tuple[str, int, float]]  # (move, count, share), most common first
    top_order: tuple[str, str, int, float] | None  # (move a, move b, count, share): a before b
    sentences: list[str]


def pattern_stats(session: Session) -> list[CategoryPattern]:
    """Per objection category: first moves of successful answers and the most common move order."""
    by_cat: dict[str, list[list[str]]] = {c: [] for c in CATEGORIES}
    for category, moves in session.execute(select(TopClip.category, TopClip.moves)):
        by_cat.setdefault(category, []).append([m for m in moves or [] if m not in SOFTENERS])
    return [_category_pattern(c, answers) for c, answers in by_cat.items()]


def _category_pattern(category: str, answers: list[list[str]]) -> CategoryPattern:
    total = len(answers)
    firsts = Counter(m[0] if m else "none" for m in answers)
    first_moves = [(m, n, n / total) for m, n in firsts.most_common()] if total else []
    pairs: Counter[tuple[str, str]] = Counter()
    for moves in answers:
        pairs.update(combinations(moves, 2))  # in the order they are made
    top_order = None
    if pairs:
        (a, b), n = max(pairs.items(), key=lambda kv: (kv[1], -list(ANSWER_MOVES).index(kv[0][0])))
        top_order = (a, b, n, n / total)
    return CategoryPattern(
        category, total, first_moves, top_order, _sentences(category, total, first_moves, top_order)
    )


def _sentences(category: str, total: int, first_moves: list, top_order: tuple | None) -> list[str]:
    label = CATEGORY_LABELS.get(category, category)
    if not total:
        return [f"「{label}」暂无销冠回答片段。"]
    out = []
    move, n, share = first_moves[0]
    name = MOVE_LABELS.get(move, "未识别的动作")
    out.append(f"「{label}」的 {total} 个成功回答中，{share:.0%}（{n}/{total}）第一步是「{name}」。")
    if top_order and top_order[2] >= 2:
        a, b, n, share = top_order
        out.append(f"{share:.0%} 的成功回答先「{MOVE_LABELS[a]}」，再「{MOVE_LABELS[b]}」（{n}/{total}）。")
    return out
