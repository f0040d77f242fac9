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
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from coachsvc.config import REPO_ROOT
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
#: A key point's threshold is calibrated between its examples' similarity to each other and
#: other key points' examples' similarity to it, then clipped to this range.
THRESHOLD_MIN, THRESHOLD_MAX = 0.14, 0.40
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
    "所以 因为 如果 然后 其实 就是 可以 能 会 要 有 没 没有 不 得 地 着 过 些 么 什么 怎么".split()
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
        self._cut = jieba.lcut
        self.concepts = concepts
        self.words = TfidfVectorizer(analyzer=self._word_tokens, sublinear_tf=True, min_df=1)
        self.chars = TfidfVectorizer(analyzer=self._char_tokens, sublinear_tf=True, min_df=1)
        self.concept_vec = TfidfVectorizer(analyzer=self._concept_tokens, sublinear_tf=True, min_df=1)
        texts = [normalize_text(t) for t in corpus]
        self.words.fit(texts)
        self.chars.fit(texts)
        self.concept_vec.fit(texts + [" ".join(p) for p in concepts.values()])

    def _word_tokens(self, text: str) -> list[str]:
        return [w for w in self._cut(text) if w.strip() and w not in _STOPWORDS and not _PUNCT.fullmatch(w)]

    @staticmethod
    def _char_tokens(text: str) -> list[str]:
        s = _PUNCT.sub("", text)
        return [s[i : i + n] for n in (2, 3) for i in range(len(s) - n + 1)]

    def _concept_tokens(self, text: str) -> list[str]:
        return [f"§{name}" for name, phrases in self.concepts.items() for p in phrases if p in text]

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        texts = [normalize_text(t) for t in texts]
        blocks = [
            WORD_WEIGHT * self.words.transform(texts),
            CHAR_WEIGHT * self.chars.transform(texts),
            CONCEPT_WEIGHT * self.concept_vec.transform(texts),
        ]
        return normalize(sparse.hstack(blocks, format="csr"))


@dataclass
class _PointModel:
    point: KeyPoint
    examples: sparse.csr_matrix
    threshold: float = THRESHOLD_MIN


@dataclass
class _ScenarioModel:
    scenario: Scenario
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
            model = _ScenarioModel(s)
            for p in s.key_points:
                model.points.append(_PointModel(p, self.featurizer.transform(p.examples)))
            self.models[s.id] = model
        self._calibrate()
        self._top_cache: dict[tuple[str, ...], sparse.csr_matrix] = {}
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
        vecs = self.featurizer.transform(wins)
        results = [self._point_result(p, vecs, wins) for p in points]
        top = self._top_similarity(vecs[0], top_answers)
        scored = self._combine(answer, results, top)
        scored.pitfalls = self._pitfalls(scenario.category, vecs, wins)
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
            hit = self._pitfall_rule(pitfall, answer, wins) or self._pitfall_like(pitfall, examples, vecs, wins, usable)
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

    def _top_similarity(self, whole: sparse.csr_matrix, top_answers: Sequence[str]) -> float | None:
        if not top_answers:
            return None
        key = tuple(top_answers)
        matrix = self._top_cache.get(key)
        if matrix is None:
            matrix = self.featurizer.transform(list(top_answers))
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
