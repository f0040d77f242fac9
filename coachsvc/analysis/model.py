"""The analysis classifiers: training (one deterministic command), the artifacts in
`models/analysis/` with their manifest, and loading them once per process.

Three linear heads share one TF-IDF feature space (see `text.features_batch`): objection category per
clause (ten categories + none), decision-role cue per clause (seven roles + none) and next-step
commitment per clause. Each head is a linear SVM calibrated with Platt scaling (sigmoid) on
cross-validated predictions, so its probabilities can be thresholded.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coachsvc.config import REPO_ROOT

MODEL_VERSION = "1.0.0"
MODELS_DIR = REPO_ROOT / "models"
ARTIFACT_DIR = MODELS_DIR / "analysis"
CORPUS_DIR = MODELS_DIR / "corpus"
DEVSET_PATH = MODELS_DIR / "devset.jsonl"
TESTSET_PATH = MODELS_DIR / "testset.jsonl"  # written apart
TESTSET2_PATH = MODELS_DIR / "testset2.jsonl"  # written by someone who saw neither code nor data
CLASSIFIER_FILE = "classifiers.npz"
VOCAB_FILE = "vocabulary.json"
HEADS = ("objection", "role", "next_step")
#: How many general words of jieba's dictionary to keep (load time: ~0.1 s instead of ~1 s).
JIEBA_WORDS = 40000
#: Size of the shared feature space (keeps the artifact at a few MB).
MAX_FEATURES = 60000
#: Hand-written examples (real phrasing, models/corpus/handwritten*.tsv) count twice as much as
#: template-generated ones: they carry the indirect objections the templates cannot.
HAND_WEIGHT = 2.0

_lock = threading.Lock()
_bundle: Bundle | None = None


def artifact_path(name: str) -> Path:
    return ARTIFACT_DIR / name


@dataclass
class Bundle:
    """The classifiers as plain arrays: the TF-IDF vocabulary and idf, and per head the linear
    weights and Platt sigmoids. Scoring needs numpy only (no scikit-learn import at run time)."""

    vocab: dict[str, int]
    idf: np.ndarray
    heads: dict[str, dict[str, Any]]
    manifest: dict[str, Any]
    _index: Any = field(default=None, repr=False)  # fastfeatures.FeatureIndex, built on first use

    def predict(self, head: str, texts: list[str]) -> tuple[list[str], np.ndarray]:
        """Top label and its probability for each text."""
        if not texts:
            return [], np.zeros(0)
        classes, proba = self.proba_texts(head, texts)
        best = proba.argmax(axis=1)
        return [classes[i] for i in best], proba[np.arange(len(best)), best]

    def proba(self, head: str, docs: list[list[str]]) -> tuple[list[str], np.ndarray]:
        """Calibrated class probabilities of featurised documents (the same numbers as the trained
        head's predict_proba: sublinear TF-IDF, L2 rows, linear SVM scores, one Platt sigmoid per
        class, normalised)."""
        from coachsvc.analysis.fastfeatures import token_indices

        rows, found = token_indices(docs, self.vocab)
        keep = found >= 0
        return self._proba(head, rows[keep], found[keep], len(docs))

    def proba_texts(self, head: str, texts: list[str]) -> tuple[list[str], np.ndarray]:
        """`proba` of the texts' features (text.features_batch), computed without spelling the
        character and pinyin n-grams out (fastfeatures)."""
        if self._index is None:
            from coachsvc.analysis.fastfeatures import FeatureIndex
            from coachsvc.analysis.text import pinyin_table

            self._index = FeatureIndex.build(self.vocab, pinyin_table())
        rows, ids = self._index.encode(texts)
        return self._proba(head, rows, ids, len(texts))

    def _proba(
        self, head: str, rows: np.ndarray, ids: np.ndarray, n_docs: int
    ) -> tuple[list[str], np.ndarray]:
        h = self.heads[head]
        classes = h["classes"]
        if not n_docs:
            return classes, np.zeros((0, len(classes)))
        scores = self._scores(rows, ids, n_docs, h["weights"]) + h["bias"]
        probs = 1.0 / (1.0 + np.exp(h["a"] * scores + h["b"]))
        if len(classes) == 2:
            return classes, np.column_stack([1.0 - probs[:, 0], probs[:, 0]])
        total = probs.sum(axis=1, keepdims=True)
        uniform = np.full_like(probs, 1.0 / len(classes))
        return classes, np.where(total > 0, probs / np.where(total > 0, total, 1.0), uniform)

    def _scores(self, rows: np.ndarray, ids: np.ndarray, n_docs: int, weights: np.ndarray) -> np.ndarray:
        """Linear scores of the documents given as (row, vocabulary index) pairs, any order."""
        size = len(self.vocab)
        out = np.zeros((n_docs, weights.shape[1]))
        if not len(ids):
            return out
        uniq, counts = np.unique(rows * size + ids, return_counts=True)  # sorted by row
        rows, idx = np.divmod(uniq, size)
        vals = (1.0 + np.log(counts)) * self.idf[idx]
        norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n_docs))
        vals = vals / norms[rows]
        # rows come in order: sum each row's run of contributions in one reduceat
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        contributions = weights[idx] * vals.astype(weights.dtype)[:, None]
        out[rows[starts]] = np.add.reduceat(contributions, starts, axis=0)
        return out


def load_bundle() -> Bundle:
    """The classifiers, loaded once per process (the worker preloads them)."""
    global _bundle
    if _bundle is None:
        with _lock:
            if _bundle is None:
                _bundle = _load()
    return _bundle


def _load() -> Bundle:
    path = artifact_path(CLASSIFIER_FILE)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python -m coachsvc train`")
    terms = json.loads(artifact_path(VOCAB_FILE).read_text(encoding="utf-8"))
    heads: dict[str, dict[str, Any]] = {}
    with np.load(path) as arrays:
        idf = arrays["idf"]
        for name in HEADS:
            heads[name] = {
                "classes": [str(c) for c in arrays[f"{name}.classes"]],
                "weights": arrays[f"{name}.weights"].astype(np.float32),  # float32 sums: 3x faster
                "bias": arrays[f"{name}.bias"],
                "a": arrays[f"{name}.a"],
                "b": arrays[f"{name}.b"],
            }
    manifest = json.loads(artifact_path("manifest.json").read_text(encoding="utf-8"))
    return Bundle({t: i for i, t in enumerate(terms)}, idf, heads, manifest)


def export_heads(vectorizer, fitted: dict[str, Any]) -> None:
    """Write the fitted vectorizer and heads as plain arrays (classifiers.npz, vocabulary.json)."""
    terms = [t for t, _ in sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])]
    arrays: dict[str, np.ndarray] = {"idf": vectorizer.idf_.astype(np.float64)}
    for name, clf in fitted.items():
        calibrated = clf.calibrated_classifiers_[0]
        arrays[f"{name}.classes"] = np.array([str(c) for c in clf.classes_])
        arrays[f"{name}.weights"] = np.ascontiguousarray(calibrated.estimator.coef_.T, dtype=np.float32)
        arrays[f"{name}.bias"] = calibrated.estimator.intercept_.astype(np.float64)
        arrays[f"{name}.a"] = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        arrays[f"{name}.b"] = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
    artifact_path(VOCAB_FILE).write_text(
        json.dumps(terms, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    np.savez_compressed(artifact_path(CLASSIFIER_FILE), **arrays)


def reset() -> None:
    """Forget loaded models (after training in the same process)."""
    global _bundle
    from coachsvc.analysis import text

    _bundle = None
    text.clear_caches()
    text._tokenizer = None
    text._segmenter = None
    text._pinyin = None


# --- training -------------------------------------------------------------------------------------


def identity(doc: list[str]) -> list[str]:
    """The vectorizer's analyzer: documents arrive as feature-token lists already."""
    return doc


def build_resources() -> None:
    """The pinyin table and the trimmed jieba dictionary (inputs of the features)."""
    import jieba
    from pypinyin import Style, pinyin

    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    table = {}
    for code in range(0x4E00, 0xA000):
        ch = chr(code)
        syl = pinyin(ch, style=Style.NORMAL, heteronym=False, errors="ignore")
        if syl and syl[0] and syl[0][0].isascii():
            table[ch] = syl[0][0]
    artifact_path("pinyin.json").write_text(
        json.dumps(table, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8"
    )
    words = []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2:
                words.append((parts[0], int(parts[1])))
    words.sort(key=lambda w: (-w[1], w[0]))
    lines = [f"{w} {f}\n" for w, f in words[:JIEBA_WORDS]]
    artifact_path("jieba_dict.txt").write_text("".join(lines), encoding="utf-8")
    reset()


def train(log=print) -> dict[str, Any]:
    """Regenerate the corpus, fit the three heads, write artifacts and manifest; returns it."""
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer

    from coachsvc.analysis import corpus
    from coachsvc.analysis.text import features_batch

    build_resources()
    examples = corpus.write_corpus(CORPUS_DIR)
    log(f"corpus: {len(examples)} labelled examples")
    from coachsvc.analysis.objections import neutralise

    docs = features_batch(
        [neutralise(e["text"]) if e["task"] == "objection" else e["text"] for e in examples]
    )
    vectorizer = TfidfVectorizer(
        analyzer=identity, sublinear_tf=True, min_df=2, max_features=MAX_FEATURES, dtype=np.float64
    )
    vectorizer.fit(docs)
    if hasattr(vectorizer, "stop_words_"):
        del vectorizer.stop_words_  # the pruned terms: not needed to transform, and large
    heads, metrics = {}, {}
    for task in ("objection", "role", "next_step"):
        idx = [i for i, e in enumerate(examples) if e["task"] == task]
        x = vectorizer.transform([docs[i] for i in idx])
        y = np.array([examples[i]["label"] for i in idx])
        groups = [examples[i]["text"] for i in idx]
        weight = np.array([HAND_WEIGHT if examples[i]["source"] == "hand" else 1.0 for i in idx])
        metrics[task] = _holdout_metrics(x, y, groups, weight)
        heads[task] = _fit_head(x, y, weight)
        log(f"{task}: {len(idx)} examples, holdout macro-F1 {metrics[task]['macro_f1']:.3f}")
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    stale = artifact_path("classifiers.joblib")
    if stale.exists():
        stale.unlink()
    export_heads(vectorizer, heads)
    _check_export(vectorizer, heads, docs)
    manifest = {
        "version": MODEL_VERSION,
        "data_sha256": corpus.corpus_hash(CORPUS_DIR),
        "examples": {t: sum(e["task"] == t for e in examples) for t in ("objection", "role", "next_step")},
        "labels": {t: sorted(set(e["label"] for e in examples if e["task"] == t)) for t in heads},
        "features": len(vectorizer.vocabulary_),
        "sklearn": sklearn.__version__,
        "holdout_metrics": metrics,
        "artifacts": {
            p.name: _sha256(p) for p in sorted(ARTIFACT_DIR.iterdir()) if p.name != "manifest.json"
        },
    }
    reset()
    if DEVSET_PATH.exists():
        artifact_path("manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        from coachsvc.analysis.evaluate import evaluate_file

        manifest["devset_metrics"] = evaluate_file(DEVSET_PATH)["summary"]
        if TESTSET_PATH.exists():
            manifest["testset_metrics"] = evaluate_file(TESTSET_PATH)["summary"]
        if TESTSET2_PATH.exists():
            manifest["testset2_metrics"] = evaluate_file(TESTSET2_PATH)["summary"]
    artifact_path("manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    reset()
    return manifest


def _check_export(vectorizer, heads: dict[str, Any], docs: list[list[str]]) -> None:
    """The exported arrays must reproduce scikit-learn's probabilities."""
    global _bundle
    _bundle = None
    bundle = _load_unchecked_manifest()
    sample = docs[:: max(1, len(docs) // 300)]
    x = vectorizer.transform(sample)
    for name, clf in heads.items():
        _, mine = bundle.proba(name, sample)
        if not np.allclose(mine, clf.predict_proba(x), atol=1e-4):
            raise AssertionError(f"exported head {name} disagrees with the trained model")


def _load_unchecked_manifest() -> Bundle:
    manifest_path = artifact_path("manifest.json")
    if not manifest_path.exists():
        manifest_path.write_text("{}")
    return _load()


def _fit_head(x, y, weight=None):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    base = LinearSVC(C=0.5, class_weight="balanced", random_state=0)
    clf = CalibratedClassifierCV(base, method="sigmoid", cv=3, ensemble=False)
    clf.fit(x, y, sample_weight=weight)
    return clf


def _holdout_metrics(x, y, groups: list[str], weight) -> dict[str, Any]:
    """Fit on ~80% of the examples, score the rest (split by a hash of the text, so a sentence
    and its noisy copies stay on one side)."""
    from sklearn.metrics import f1_score

    test = np.array([int(hashlib.md5(_base_text(g).encode()).hexdigest(), 16) % 5 == 0 for g in groups])
    clf = _fit_head(x[~test], y[~test], weight[~test])
    pred = clf.predict(x[test])
    labels = sorted(set(y))
    per = f1_score(y[test], pred, labels=labels, average=None, zero_division=0)
    return {
        "n_test": int(test.sum()),
        "accuracy": round(float((pred == y[test]).mean()), 4),
        "macro_f1": round(float(f1_score(y[test], pred, average="macro", zero_division=0)), 4),
        "per_label_f1": {lab: round(float(v), 4) for lab, v in zip(labels, per, strict=True)},
    }


def _base_text(text: str) -> str:
    import re

    return re.sub(r"[^\u4e00-\u9fffa-z]", "", text.lower())[:12]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
