"""Objection drills: the answer scorer, and drill sessions (start, answer by text or voice, turns).

Scoring (`AnswerScorer`) understands paraphrase, not just keywords: an answer and every key point's
example phrasings become TF-IDF vectors over jieba words, character 2-3-grams and the concepts of a
small lexicon (`models/drills/concepts.yaml`); each key point is hit when some clause window of the
answer is similar enough to its examples, against a threshold calibrated per key point from the
examples themselves. Similarity to top performers' real answers (mined clips of the same objection
category) adds to the score; an answer similar to nothing the scenario is about is off-topic and
penalised. `python -m coachsvc drill-eval` measures how often a strong answer outranks a weak one.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import yaml
from flask import current_app
from rq import get_current_job
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachsvc import storage
from coachsvc.auth import can_see_user, visible_rep_ids
from coachsvc.config import REPO_ROOT
from coachsvc.db import session_scope
from coachsvc.db.drills import DrillSession, DrillTurn
from coachsvc.db.models import User, utcnow
from coachsvc.media import AudioError, probe_audio
from coachsvc.scenarios import KeyPoint, Scenario, ScenarioSet, scenario_set

log = logging.getLogger(__name__)

# --- Product constants of drills (decisions; each says where it comes from) --------------------

#: Folder of the scorer's artifacts: the concept lexicon and the evaluation pairs.
MODEL_DIR = REPO_ROOT / "models" / "drills"
CONCEPTS_PATH = MODEL_DIR / "concepts.yaml"
PITFALLS_PATH = MODEL_DIR / "pitfalls.yaml"
PAIRS_PATH = MODEL_DIR / "answer_pairs.jsonl"
#: Feature weights of the combined vector: words carry meaning, char n-grams catch variants
#: jieba splits differently, concepts bridge synonyms. Tuned by hand on the scenarios' own
#: examples (leave-one-out), then frozen before running the evaluation pairs.
WORD_WEIGHT, CHAR_WEIGHT, CONCEPT_WEIGHT = 1.0, 0.8, 0.9
#: Weight of the features of the customer's own objection lines (see Featurizer.topic_mask).
TOPIC_WEIGHT = 0.3
#: A key point's threshold is calibrated between its examples' similarity to each other and
#: other key points' examples' similarity to it, then clipped to this range.
THRESHOLD_MIN, THRESHOLD_MAX = 0.22, 0.40
#: Score = 100 x (KEY_POINT_SHARE x coverage + TOP_ANSWER_SHARE x likeness to top performers).
#: Key points dominate: they are what the trainer wrote; the top answers are real but noisier.
KEY_POINT_SHARE, TOP_ANSWER_SHARE = 0.85, 0.15
#: Similarity to top performers' answers at which that part of the score is full.
TOP_ANSWER_FULL = 0.35
#: A missed key point still earns up to this share of its weight, by how close the answer came.
NEAR_MISS_CREDIT = 0.4
#: An answer whose best key-point similarity is below this share of the threshold, and that is
#: unlike every top answer, is off-topic; its score is multiplied by OFF_TOPIC_FACTOR.
OFF_TOPIC_RATIO, OFF_TOPIC_FACTOR = 0.45, 0.3
#: Clauses shorter than this (characters) are not checked against the pitfalls.
PITFALL_MIN_CHARS = 6
#: Answers shorter than this (characters, punctuation excluded) are too thin to be a real answer.
MIN_ANSWER_CHARS = 6
#: Turns a session lasts at most: the opening, then follow-ups while key points are missed.
MAX_TURNS = 3
#: Longest typed answer accepted (characters).
MAX_ANSWER_CHARS = 2000

_CLAUSE_SPLIT = re.compile(r"[。！？!?；;，,、\n]+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 嘛 哦 是 在 和 与 就 也 都 还 又 很 这 那 这个 那个 这些 那些 一下 一个 "
    "我 你 您 他 她 它 我们 你们 咱们 他们 自己 对 把 被 让 给 从 向 到 为 以 及 或 而 但 但是 "
    "所以 因为 如果 然后 其实 就是 可以 能 会 要 有 没 没有 不 得 地 着 过 些 么 什么 怎么 "
    "好 很 去 来 一起 吧 嗯 哈".split()
)


def normalize_text(text: str) -> str:
    """NFKC (full-width to half-width), lowercase, collapse whitespace."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c.strip()]


def windows(text: str, size: int = 3) -> list[str]:
    """The answer's clause windows (1..size consecutive clauses) and the whole answer: a key point
    is usually made in a clause or two, and a long answer making several points would dilute a
    whole-answer similarity."""
    parts = clauses(text)
    out = [text]
    for width in range(1, size + 1):
        out += ["，".join(parts[i : i + width]) for i in range(len(parts) - width + 1)]
    return list(dict.fromkeys(w for w in out if w))


def load_concepts(path: Path = CONCEPTS_PATH) -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {name: tuple(normalize_text(str(p)) for p in phrases) for name, phrases in data.items()}


@dataclass(frozen=True)
class Pitfall:
    """A bad move (a concession given, a competitor disparaged...) that costs part of the score."""

    id: str
    label: str
    categories: tuple[str, ...]
    penalty: float
    threshold: float = 1.0
    examples: tuple[str, ...] = ()
    all_of: tuple[tuple[str, ...], ...] = ()
    unless: tuple[str, ...] = ()

    def rule_matches(self, answer: str, window: str) -> bool:
        """The rule: one phrase of each `all_of` list in the window, none of `unless` in the answer."""
        if not self.all_of or any(u in answer for u in self.unless):
            return False
        return all(any(p in window for p in group) for group in self.all_of)


def load_pitfalls(path: Path = PITFALLS_PATH) -> list[Pitfall]:
    return [
        Pitfall(
            id=p["id"],
            label=p["label"],
            categories=tuple(p["categories"]),
            penalty=float(p["penalty"]),
            threshold=float(p.get("threshold", 1.0)),
            examples=tuple(p.get("examples", ())),
            all_of=tuple(tuple(normalize_text(x) for x in g) for g in p.get("all_of", ())),
            unless=tuple(normalize_text(x) for x in p.get("unless", ())),
        )
        for p in yaml.safe_load(path.read_text(encoding="utf-8")) or []
    ]


# --- the scorer ---------------------------------------------------------------------------------


@dataclass
class PointResult:
    id: str
    description: str
    hit: bool
    similarity: float
    threshold: float
    credit: float
    evidence: str = ""


@dataclass
class PitfallResult:
    id: str
    label: str
    similarity: float
    evidence: str


@dataclass
class AnswerScore:
    score: float
    points: list[PointResult]
    off_topic: bool
    top_similarity: float | None
    relevance: float
    pitfalls: list[PitfallResult] = field(default_factory=list)

    @property
    def hits(self) -> list[PointResult]:
        return [p for p in self.points if p.hit]

    @property
    def missed(self) -> list[PointResult]:
        return [p for p in self.points if not p.hit]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "off_topic": self.off_topic,
            "top_similarity": self.top_similarity,
            "relevance": self.relevance,
            "points": [asdict(p) for p in self.points],
            "pitfalls": [asdict(p) for p in self.pitfalls],
        }


class Featurizer:
    """Text -> L2-normalised sparse vector over jieba words, char 2-3-grams and lexicon concepts."""

    def __init__(self, corpus: Sequence[str], concepts: dict[str, tuple[str, ...]]) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        # Answer windows overlap, so the same clause is cut many times: cache cuts per clause.
        self._cut = lru_cache(maxsize=20000)(lambda clause: tuple(jieba.lcut(clause)))
        self.concepts = concepts
        self.words = TfidfVectorizer(analyzer=self._word_tokens, sublinear_tf=True, min_df=1)
        self.chars = TfidfVectorizer(analyzer=self._char_tokens, sublinear_tf=True, min_df=1)
        self.concept_vec = TfidfVectorizer(analyzer=self._concept_tokens, sublinear_tf=True, min_df=1)
        texts = [normalize_text(t) for t in corpus]
        self.words.fit(texts)
        self.chars.fit(texts)
        self.concept_vec.fit(texts + [" ".join(p) for p in concepts.values()])

    def _word_tokens(self, text: str) -> list[str]:
        words = (w for clause in clauses(text) for w in self._cut(clause))
        return [w for w in words if w.strip() and w not in _STOPWORDS and not _PUNCT.fullmatch(w)]

    @staticmethod
    def _char_tokens(text: str) -> list[str]:
        s = _PUNCT.sub("", text)
        return [s[i : i + n] for n in (2, 3) for i in range(len(s) - n + 1)]

    def _concept_tokens(self, text: str) -> list[str]:
        return [f"§{name}" for name, phrases in self.concepts.items() for p in phrases if p in text]

    def transform(self, texts: Sequence[str], mask: sparse.dia_matrix | None = None) -> sparse.csr_matrix:
        """Vectors of `texts`; `mask` (a diagonal of feature weights) is applied before normalising."""
        return self.weigh(self.raw(texts), mask)

    def raw(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The weighted TF-IDF blocks side by side, not yet normalised."""
        texts = [normalize_text(t) for t in texts]
        blocks = [
            WORD_WEIGHT * self.words.transform(texts),
            CHAR_WEIGHT * self.chars.transform(texts),
            CONCEPT_WEIGHT * self.concept_vec.transform(texts),
        ]
        return sparse.hstack(blocks, format="csr")

    @staticmethod
    def weigh(raw: sparse.csr_matrix, mask: sparse.dia_matrix | None = None) -> sparse.csr_matrix:
        return normalize(raw @ mask if mask is not None else raw)

    def topic_mask(self, lines: Sequence[str]) -> sparse.dia_matrix:
        """Feature weights that damp the words of the customer's own lines to TOPIC_WEIGHT:
        echoing the objection ("老板", "预算") is not making a point about it."""
        raw = self.transform(lines)
        weights = np.ones(raw.shape[1])
        weights[np.unique(raw.indices)] = TOPIC_WEIGHT
        return sparse.diags(weights)


@dataclass
class _PointModel:
    point: KeyPoint
    examples: sparse.csr_matrix
    threshold: float = THRESHOLD_MIN


@dataclass
class _ScenarioModel:
    scenario: Scenario
    mask: sparse.dia_matrix
    points: list[_PointModel] = field(default_factory=list)


class AnswerScorer:
    """Scores answers to a scenario's objection; built once per process, then read-only."""

    def __init__(
        self,
        scenarios: ScenarioSet,
        concepts: dict[str, tuple[str, ...]] | None = None,
        pitfalls: list[Pitfall] | None = None,
    ) -> None:
        self.scenarios = scenarios
        self.pitfalls = load_pitfalls() if pitfalls is None else pitfalls
        corpus = [t for s in scenarios for t in _scenario_texts(s)]
        corpus += [e for p in self.pitfalls for e in p.examples]
        self.featurizer = Featurizer(corpus, concepts if concepts is not None else load_concepts())
        self.pitfall_vecs = [
            self.featurizer.transform(p.examples) if p.examples else None for p in self.pitfalls
        ]
        self.models: dict[str, _ScenarioModel] = {}
        for s in scenarios:
            model = _ScenarioModel(s, self.featurizer.topic_mask(s.lines))
            for p in s.key_points:
                model.points.append(_PointModel(p, self.featurizer.transform(p.examples, model.mask)))
            self.models[s.id] = model
        self._calibrate()
        self._top_cache: dict[tuple[str, ...], sparse.csr_matrix] = {}  # (scenario id, *answers)
        self._lock = threading.Lock()

    # -- public --

    def score(
        self,
        scenario: Scenario,
        answer: str,
        open_points: Sequence[str] | None = None,
        top_answers: Sequence[str] = (),
    ) -> AnswerScore:
        """Score `answer` against the scenario's key points (only `open_points` when given)."""
        model = self.models[scenario.id]
        points = [p for p in model.points if open_points is None or p.point.id in open_points]
        wins = windows(answer)
        raw = self.featurizer.raw(wins)
        vecs = self.featurizer.weigh(raw, model.mask)
        results = [self._point_result(p, vecs, wins) for p in points]
        top = self._top_similarity(model, vecs[0], top_answers)
        scored = self._combine(answer, results, top)
        scored.pitfalls = self._pitfalls(scenario.category, self.featurizer.weigh(raw), wins)
        for pit in scored.pitfalls:
            penalty = next(p.penalty for p in self.pitfalls if p.id == pit.id)
            scored.score = round(scored.score * (1 - penalty), 1)
        return scored

    def point_similarity(self, point: _PointModel, vecs: sparse.csr_matrix) -> np.ndarray:
        """Per window: the best of (max similarity to one example, similarity to the centroid)."""
        sims = (vecs @ point.examples.T).toarray()
        best = sims.max(axis=1)
        centroid = normalize(np.asarray(point.examples.mean(axis=0)))
        return np.maximum(best, np.asarray(vecs @ centroid.T).ravel())

    # -- internals --

    def _point_result(self, p: _PointModel, vecs: sparse.csr_matrix, wins: list[str]) -> PointResult:
        sims = self.point_similarity(p, vecs)
        i = int(sims.argmax())
        sim = float(sims[i])
        hit = sim >= p.threshold
        credit = 1.0 if hit else NEAR_MISS_CREDIT * (sim / p.threshold) ** 2
        return PointResult(
            id=p.point.id,
            description=p.point.description,
            hit=hit,
            similarity=round(sim, 4),
            threshold=round(p.threshold, 4),
            credit=round(credit, 4),
            evidence=wins[i] if hit else "",
        )

    def _pitfalls(self, category: str, vecs: sparse.csr_matrix, wins: list[str]) -> list[PitfallResult]:
        # Short windows ("行", "您放心") say too little to be judged; only clauses with content count.
        usable = np.array([len(_PUNCT.sub("", w)) >= PITFALL_MIN_CHARS for w in wins])
        answer = normalize_text(wins[0])
        found = []
        for pitfall, examples in zip(self.pitfalls, self.pitfall_vecs, strict=True):
            if category not in pitfall.categories:
                continue
            hit = self._pitfall_rule(pitfall, answer, wins) or self._pitfall_like(
                pitfall, examples, vecs, wins, usable
            )
            if hit:
                found.append(hit)
        return found

    @staticmethod
    def _pitfall_rule(pitfall: Pitfall, answer: str, wins: list[str]) -> PitfallResult | None:
        for w in wins[1:]:  # clause windows; rules look at one or two clauses
            if w.count("，") <= 1 and pitfall.rule_matches(answer, normalize_text(w)):
                return PitfallResult(pitfall.id, pitfall.label, 1.0, w)
        return None

    @staticmethod
    def _pitfall_like(pitfall, examples, vecs, wins, usable) -> PitfallResult | None:
        if examples is None or not usable.any():
            return None
        sims = np.where(usable, (vecs @ examples.T).toarray().max(axis=1), 0.0)
        i = int(sims.argmax())
        if sims[i] < pitfall.threshold:
            return None
        return PitfallResult(pitfall.id, pitfall.label, round(float(sims[i]), 4), wins[i])

    def _top_similarity(
        self, model: _ScenarioModel, whole: sparse.csr_matrix, top_answers: Sequence[str]
    ) -> float | None:
        if not top_answers:
            return None
        key = (model.scenario.id, *top_answers)
        matrix = self._top_cache.get(key)
        if matrix is None:
            matrix = self.featurizer.transform(list(top_answers), model.mask)
            with self._lock:
                if len(self._top_cache) > 64:
                    self._top_cache.clear()
                self._top_cache[key] = matrix
        sims = np.sort((whole @ matrix.T).toarray().ravel())[::-1]
        return float(sims[:3].mean())

    def _combine(self, answer: str, results: list[PointResult], top: float | None) -> AnswerScore:
        weights = {r.id: 1.0 for r in results}
        total = sum(weights.values()) or 1.0
        coverage = sum(r.credit * weights[r.id] for r in results) / total
        if top is None:
            raw = coverage
        else:
            raw = KEY_POINT_SHARE * coverage + TOP_ANSWER_SHARE * min(1.0, top / TOP_ANSWER_FULL)
        relevance = max((r.similarity / r.threshold for r in results), default=0.0)
        off_topic = relevance < OFF_TOPIC_RATIO and (top is None or top < TOP_ANSWER_FULL * OFF_TOPIC_RATIO)
        if off_topic:
            raw *= OFF_TOPIC_FACTOR
        if len(_PUNCT.sub("", answer)) < MIN_ANSWER_CHARS:
            raw *= 0.5
        return AnswerScore(
            score=round(100 * min(raw, 1.0), 1),
            points=results,
            off_topic=off_topic,
            top_similarity=None if top is None else round(top, 4),
            relevance=round(relevance, 4),
        )

    def _calibrate(self) -> None:
        """Per key point: positives are its own examples held out one at a time (similarity to
        the rest); negatives are the examples of every other key point of the same category.
        The threshold sits halfway between the weakest quarter of positives and the strongest
        tenth of negatives, clipped to [THRESHOLD_MIN, THRESHOLD_MAX]."""
        by_category: dict[str, list[_PointModel]] = {}
        for m in self.models.values():
            by_category.setdefault(m.scenario.category, []).extend(m.points)
        for points in by_category.values():
            for p in points:
                pos = _leave_one_out(p.examples)
                others = [q.examples for q in points if q is not p]
                neg_vecs = sparse.vstack(others) if others else None
                neg = self.point_similarity(p, neg_vecs) if neg_vecs is not None else np.zeros(1)
                t = 0.5 * (np.percentile(pos, 25) + np.percentile(neg, 90))
                p.threshold = float(np.clip(t, THRESHOLD_MIN, THRESHOLD_MAX))

    @cached_property
    def thresholds(self) -> dict[str, dict[str, float]]:
        return {sid: {p.point.id: p.threshold for p in m.points} for sid, m in self.models.items()}


def _leave_one_out(examples: sparse.csr_matrix) -> np.ndarray:
    sims = (examples @ examples.T).toarray()
    np.fill_diagonal(sims, -1.0)
    return sims.max(axis=1)


def _scenario_texts(s: Scenario) -> list[str]:
    texts = [s.opening, *s.variants, s.persona, s.title]
    for p in s.key_points:
        texts += [p.description, p.follow_up, *p.examples]
    return texts


_scorer: dict[str, Any] = {}
_scorer_lock = threading.Lock()


def get_scorer(scenarios: ScenarioSet | None = None) -> AnswerScorer:
    """The process's scorer for the current scenario set (rebuilt when the scenarios change)."""
    scenarios = scenarios or scenario_set()
    with _scorer_lock:
        if _scorer.get("set") is not scenarios:
            _scorer["scorer"] = AnswerScorer(scenarios)
            _scorer["set"] = scenarios
        return _scorer["scorer"]


def preload_scorer(app: Any) -> None:
    """Worker preloader: build the scorer (jieba dictionary, vectorizers) before taking jobs."""
    get_scorer()


# --- drill sessions -----------------------------------------------------------------------------

#: What the virtual customer says to an answer that is about something else (domain: a drill
#: customer reacts to the answer as a real one would).
OFF_TOPIC_FOLLOW_UP = "你说的这些跟我的问题有什么关系？"
#: Voice answers: largest upload and longest clip accepted.
MAX_VOICE_BYTES = 20 * 1024 * 1024
MAX_VOICE_SECONDS = 180.0


class DrillError(Exception):
    """A refused drill action: HTTP status, a stable error code and a message naming the problem."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def start_session(
    session: Session, user: User, scenario_id: str, rng: random.Random | None = None
) -> DrillSession:
    """Start a drill of `scenario_id`: the virtual customer opens with one of its lines."""
    scenario = scenario_set().get(scenario_id)
    if scenario is None:
        raise DrillError(404, "unknown_scenario", f"情景 {scenario_id} 不存在")
    drill = DrillSession(
        user_id=user.id,
        scenario_id=scenario.id,
        category=scenario.category,
        status="active",
        points_hit=[],
        customer_line=scenario.pick_opening(rng),
    )
    session.add(drill)
    session.commit()
    return drill


def get_session(session: Session, viewer: User, drill_id: int) -> DrillSession | None:
    """The drill session if `viewer` may see it (own; a trainer's team; admin), else None."""
    drill = session.get(DrillSession, drill_id)
    if drill is None or not can_see_user(viewer, drill.user):
        return None
    return drill


def list_sessions(
    session: Session, viewer: User, user_id: int | None = None, limit: int = 50
) -> list[DrillSession]:
    """Recent drill sessions `viewer` may see, newest first (optionally of one user)."""
    query = select(DrillSession).join(DrillSession.user).order_by(DrillSession.id.desc()).limit(limit)
    ids = visible_rep_ids(viewer)
    if ids is not None:
        query = query.where(DrillSession.user_id.in_(ids))
    if user_id is not None:
        query = query.where(DrillSession.user_id == user_id)
    return list(session.scalars(query))


def answer_text(session: Session, drill: DrillSession, user: User, text: str) -> DrillTurn:
    """Score a typed answer to the customer's current line at once; returns the scored turn."""
    text = (text or "").strip()
    if not text:
        raise DrillError(422, "empty_answer", "回答不能为空")
    if len(text) > MAX_ANSWER_CHARS:
        raise DrillError(422, "answer_too_long", f"回答超过 {MAX_ANSWER_CHARS} 字上限")
    try:
        turn = _new_turn(session, drill, user, "text")
        turn.answer_text = text
        score_turn(session, drill, turn)
        session.commit()
    except IntegrityError as exc:  # another answer to the same line won the race
        session.rollback()
        raise DrillError(409, "answer_conflict", "同一句话已经有一个回答，请刷新后再试") from exc
    return turn


def submit_voice(
    session: Session, drill: DrillSession, user: User, filename: str, stream: BinaryIO
) -> DrillTurn:
    """Store a recorded answer, commit a `transcribing` turn, then queue its transcription."""
    from coachsvc.queue import REALTIME, enqueue

    _check_can_answer(session, drill, user)  # before anything is written
    path = _store_voice(filename, stream)
    try:
        turn = _new_turn(session, drill, user, "voice")
        turn.audio_path, turn.status = str(path), "transcribing"
        session.commit()
    except BaseException as exc:
        session.rollback()
        _discard_unreferenced(session, path)
        if isinstance(exc, IntegrityError):
            raise DrillError(409, "answer_conflict", "同一句话已经有一个回答，请刷新后再试") from exc
        raise
    try:
        enqueue(
            transcribe_drill_turn, turn.id, queue=REALTIME, job_id=f"drill-turn-{turn.id}", job_timeout=300
        )
    except Exception as exc:  # the queue is down: the turn fails with the reason, the session goes on
        log.exception("enqueue failed for drill turn %s", turn.id)
        _fail_turn(session, turn, f"队列不可用，请稍后重试 (queue unavailable: {exc})")
        session.commit()
    return turn


def transcribe_drill_turn(turn_id: int) -> str:
    """Job (realtime queue): transcribe a voice answer, then score it; returns the turn's status."""
    from coachsvc.asr import AudioInputError, transcribe_path

    with session_scope() as session:
        turn = session.get(DrillTurn, turn_id)
        if turn is None or turn.status != "transcribing":
            return turn.status if turn else "missing"
        path = turn.audio_path
    try:  # no session is held during inference
        utterances = transcribe_path(path, language="zh")
    except AudioInputError as exc:
        return _finish_voice(turn_id, None, f"录音无法识别：{exc}")
    except Exception as exc:  # e.g. the model is missing: fail the turn once no retry is left
        job = get_current_job()
        if not (job and job.retries_left):
            _finish_voice(turn_id, None, f"语音识别出错：{type(exc).__name__}: {exc}")
        raise
    text = "".join(u.text for u in utterances).strip()
    return _finish_voice(turn_id, text, None if text else "录音中没有识别到语音")


def finish_session(session: Session, drill: DrillSession, user: User) -> DrillSession:
    if drill.user_id != user.id:
        raise DrillError(403, "not_your_drill", "只能结束自己的练习")
    if drill.status == "active":
        drill.status, drill.finished_at = "finished", utcnow()
        session.commit()
    return drill


def score_turn(session: Session, drill: DrillSession, turn: DrillTurn) -> None:
    """Score the turn's answer on the key points still open, update the session, feed the radar."""
    from coachsvc import mining

    scenario, scorer = _scenario_of(drill), get_scorer()
    with session.no_autoflush:  # read everything first: one flush of the changes at commit
        earlier = [t.result for t in drill.turns if t is not turn and t.result]
        top = mining.top_answer_texts(session, scenario.category)
        clip_ids = mining.offer_clips(session, scenario, scorer)
        open_points = [p.id for p in scenario.key_points if p.id not in drill.points_hit]
        result = scorer.score(scenario, turn.answer_text or "", open_points, top)
        turn.status, turn.score, turn.scored_at = "scored", result.score, utcnow()
        drill.points_hit = drill.points_hit + [p.id for p in result.hits]
        drill.score = _session_score(scenario, [*earlier, result.as_dict()])
        turn.follow_up = _next_line(drill, scenario, result)
        turn.result = {**result.as_dict(), "clip_ids": clip_ids, "session_score": drill.score}
    _feed_radar(session, drill, scenario, turn)


# --- internals ------------------------------------------------------------------------------------


def _check_can_answer(session: Session, drill: DrillSession, user: User) -> None:
    if drill.user_id != user.id:
        raise DrillError(403, "not_your_drill", "只能回答自己的练习")
    if drill.status != "active":
        raise DrillError(409, "drill_finished", "这次练习已经结束，请重新开始")
    if any(t.status == "transcribing" for t in drill.turns):
        raise DrillError(409, "answer_pending", "上一段语音回答还在识别中，请稍候")


def _new_turn(session: Session, drill: DrillSession, user: User, mode: str) -> DrillTurn:
    _check_can_answer(session, drill, user)
    # the turns were just loaded; a concurrent answer taking the same idx fails the unique key
    idx = len(drill.turns)
    turn = DrillTurn(idx=idx, customer_line=drill.customer_line, mode=mode, status="scored")
    drill.turns.append(turn)  # keeps the loaded collection in step with the new row
    session.flush()
    return turn


def _store_voice(filename: str, stream: BinaryIO) -> Path:
    upload_dir = str(Path(current_app.config["UPLOAD_DIR"]) / "drills")
    try:
        staged = storage.stage_stream(stream, upload_dir, MAX_VOICE_BYTES)
    except storage.TooLarge:
        raise DrillError(413, "file_too_large", f"录音超过 {MAX_VOICE_BYTES // 2**20} MB 上限") from None
    try:
        if staged.size == 0:
            raise DrillError(400, "empty_file", "录音文件为空")
        info = probe_audio(staged.path)
        if info.duration is not None and info.duration > MAX_VOICE_SECONDS:
            raise DrillError(422, "audio_too_long", f"录音超过 {MAX_VOICE_SECONDS:.0f} 秒上限")
    except AudioError as exc:
        storage.discard(staged.path)
        raise DrillError(422, "corrupt_audio", str(exc)) from exc
    except BaseException:
        storage.discard(staged.path)
        raise
    suffix = Path(filename or "").suffix.lower()[:10] or ".webm"
    return storage.keep(staged, upload_dir, suffix)


def _discard_unreferenced(session: Session, path: Path) -> None:
    """Remove a stored recording unless another turn keeps the same (content-addressed) file."""
    if session.scalar(select(DrillTurn.id).where(DrillTurn.audio_path == str(path)).limit(1)) is None:
        storage.discard(path)


def _finish_voice(turn_id: int, text: str | None, failure: str | None) -> str:
    with session_scope() as session:
        turn = session.get(DrillTurn, turn_id)
        if failure:
            _fail_turn(session, turn, failure)
            return "failed"
        turn.answer_text = text
        score_turn(session, turn.session, turn)
        return turn.status


def _fail_turn(session: Session, turn: DrillTurn, reason: str) -> None:
    turn.status, turn.failure_reason = "failed", reason[:2000]


def _scenario_of(drill: DrillSession) -> Scenario:
    scenario = scenario_set().get(drill.scenario_id)
    if scenario is None:
        raise DrillError(409, "scenario_gone", f"情景 {drill.scenario_id} 已不存在或无法加载")
    return scenario


def _session_score(scenario: Scenario, results: list[dict[str, Any]]) -> float:
    """The session's score: each key point's best credit over the turns, less distinct pitfalls."""
    best = {p.id: 0.0 for p in scenario.key_points}
    pitfalls: dict[str, float] = {}
    for res in results:
        for p in res["points"]:
            best[p["id"]] = max(best.get(p["id"], 0.0), p["credit"])
        for pit in res.get("pitfalls", []):
            pitfalls[pit["id"]] = _pitfall_penalty(pit["id"])
    raw = sum(best.values()) / len(best)
    for penalty in pitfalls.values():
        raw *= 1 - penalty
    return round(100 * raw, 1)


def _pitfall_penalty(pitfall_id: str) -> float:
    return next((p.penalty for p in get_scorer().pitfalls if p.id == pitfall_id), 0.0)


def _next_line(drill: DrillSession, scenario: Scenario, result: AnswerScore) -> str | None:
    """The customer's follow-up (None when the drill is over): finish when every point is hit or
    the turns run out; otherwise the follow-up of the first missed point in the scenario's order."""
    turns_done = len(drill.turns)
    missed = [p for p in scenario.key_points if p.id not in drill.points_hit]
    if not missed or turns_done >= MAX_TURNS:
        drill.status, drill.finished_at = "finished", utcnow()
        return None
    line = OFF_TOPIC_FOLLOW_UP if result.off_topic else missed[0].follow_up
    drill.customer_line = line
    return line


def _feed_radar(session: Session, drill: DrillSession, scenario: Scenario, turn: DrillTurn) -> None:
    """The session's running score on each behaviour the scenario trains (one entry per session:
    the radar replaces the entry of the same ref)."""
    from coachsvc.radar import add_drill_score

    for behaviour in scenario.behaviours:
        add_drill_score(
            session, drill.user_id, behaviour, drill.score or 0.0, turn.scored_at, f"drill-session:{drill.id}"
        )


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class PairResult:
    scenario_id: str
    category: str
    kind: str
    strong: float
    weak: float

    @property
    def correct(self) -> bool:
        return self.strong > self.weak


@dataclass
class Evaluation:
    results: list[PairResult]

    @property
    def accuracy(self) -> float:
        return sum(r.correct for r in self.results) / len(self.results) if self.results else 0.0

    def by_category(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for r in self.results:
            ok, n = out.get(r.category, (0, 0))
            out[r.category] = (ok + r.correct, n + 1)
        return out


def load_pairs(path: Path | str = PAIRS_PATH) -> list[dict[str, str]]:
    """Answer pairs, JSON lines: {"scenario", "strong", "weak", "kind"}; errors name the line."""
    import json

    pairs = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        missing = {"scenario", "strong", "weak"} - set(row)
        if missing:
            raise ValueError(f"{path}:{n}: missing {', '.join(sorted(missing))}")
        pairs.append(row)
    return pairs


def evaluate_pairs(
    pairs: list[dict[str, str]],
    scorer: AnswerScorer | None = None,
    top_answers: dict[str, list[str]] | None = None,
) -> Evaluation:
    """Score both answers of every pair; a pair is ranked right when the strong one scores higher."""
    scorer = scorer or get_scorer()
    results = []
    for row in pairs:
        scenario = scorer.scenarios.get(row["scenario"])
        if scenario is None:
            raise ValueError(f"unknown scenario {row['scenario']!r} in the pairs")
        top = (top_answers or {}).get(scenario.category, [])
        strong = scorer.score(scenario, row["strong"], top_answers=top).score
        weak = scorer.score(scenario, row["weak"], top_answers=top).score
        results.append(PairResult(scenario.id, scenario.category, row.get("kind", ""), strong, weak))
    return Evaluation(results)
