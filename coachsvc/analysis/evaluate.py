"""Evaluate the analysis on a JSONL dataset of annotated calls.

Each line: {"id", "lang", "call_date", "rep_speaker", "transcript", "expected": {"objections":
[{"category", "text"}], "roles": [{"person", "role"}], "next_steps": [{"action", "owner", "due"}]}}.

An expected objection is found when a predicted one has its category and an overlapping text; a
predicted objection is correct when it so matches an expected one. A role matches on the role and
the person (names normalised: 采购部刘经理 = 刘经理 = 老刘). Each expected next step is paired with
the most similar predicted step (action and evidence wording, one-to-one); due-date accuracy is the
share of expected steps whose pair has the same due date (null included).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from coachsvc.analysis.constants import OBJECTION_CATEGORIES, ROLE_IDS


def evaluate_file(path: Path | str) -> dict[str, Any]:
    calls = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return evaluate_calls(calls)


def evaluate_calls(calls: list[dict[str, Any]]) -> dict[str, Any]:
    from coachsvc.analysis import analyze_transcript
    from coachsvc.transcripts import parse_transcript

    obj_counts = _Counts(OBJECTION_CATEGORIES)
    role_counts = _Counts(ROLE_IDS)
    due_right = due_total = 0
    per_call = []
    for call in calls:
        _, utterances = parse_transcript(call["transcript"])
        result = analyze_transcript(
            utterances,
            call["call_date"],
            rep_speaker=call.get("rep_speaker"),
            language=call.get("lang", "zh"),
        ).to_dict()
        expected = call.get("expected", {})
        errors = _score_objections(result["objections"], expected.get("objections", []), obj_counts)
        errors += _score_roles(result["roles"], expected.get("roles", []), role_counts)
        right, total, due_errors = _score_due(result["next_steps"], expected.get("next_steps", []))
        due_right, due_total = due_right + right, due_total + total
        per_call.append({"id": call.get("id"), "errors": errors + due_errors})
    summary = {
        "calls": len(calls),
        "objections": obj_counts.report(),
        "roles": role_counts.report(),
        "next_steps": {
            "expected": due_total,
            "due_correct": due_right,
            "due_accuracy": round(due_right / due_total, 4) if due_total else None,
        },
    }
    return {"summary": summary, "per_call": per_call}


class _Counts:
    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = labels
        self.tp_pred = dict.fromkeys(labels, 0)  # predicted items that match
        self.pred = dict.fromkeys(labels, 0)
        self.tp_gold = dict.fromkeys(labels, 0)  # expected items that are found
        self.gold = dict.fromkeys(labels, 0)

    def report(self) -> dict[str, Any]:
        per = {}
        for lab in self.labels:
            if self.pred[lab] or self.gold[lab]:
                per[lab] = _prf(self.tp_pred[lab], self.pred[lab], self.tp_gold[lab], self.gold[lab])
        micro = _prf(
            sum(self.tp_pred.values()),
            sum(self.pred.values()),
            sum(self.tp_gold.values()),
            sum(self.gold.values()),
        )
        macro = {
            k: round(sum(p[k] for p in per.values()) / len(per), 4) if per else 0.0
            for k in ("precision", "recall", "f1")
        }
        return {"per_label": per, "micro": micro, "macro": macro}


def _prf(tp_pred: int, pred: int, tp_gold: int, gold: int) -> dict[str, Any]:
    p = tp_pred / pred if pred else (1.0 if not gold else 0.0)
    r = tp_gold / gold if gold else (1.0 if not pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "predicted": pred,
        "expected": gold,
    }


# --- objections -----------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text.lower())


#: A shared run this long is an overlap whatever the lengths (two annotators rarely cut a long
#: objection at the same clause: 付款节点我们接受不了，签约付七成，上线付三成 / 签约付七成，上线付三成，…).
OVERLAP_RUN = 8


def texts_overlap(a: str, b: str) -> bool:
    """The two texts share a run of half the shorter one or of OVERLAP_RUN characters (at least 2)."""
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return False
    if na in nb or nb in na:
        return True
    need = max(2, min(len(na) // 2, len(nb) // 2, OVERLAP_RUN))
    return _longest_common_run(na, nb) >= need


def _longest_common_run(a: str, b: str) -> int:
    best, prev = 0, [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _score_objections(pred: list[dict], gold: list[dict], counts: _Counts) -> list[str]:
    errors = []
    for p in pred:
        counts.pred[p["category"]] = counts.pred.get(p["category"], 0) + 1
        if any(g["category"] == p["category"] and texts_overlap(g["text"], p["text"]) for g in gold):
            counts.tp_pred[p["category"]] += 1
        else:
            errors.append(f"FP objection {p['category']}: {p['text']}")
    for g in gold:
        counts.gold[g["category"]] += 1
        if any(g["category"] == p["category"] and texts_overlap(g["text"], p["text"]) for p in pred):
            counts.tp_gold[g["category"]] += 1
        else:
            errors.append(f"FN objection {g['category']}: {g['text']}")
    return errors


# --- roles ----------------------------------------------------------------------------------------


def persons_match(a: str, b: str) -> bool:
    from coachsvc.analysis.people import normalize_person, same_person

    na, nb = normalize_person(a), normalize_person(b)
    if _norm(na) == _norm(nb) or (na and nb and (_norm(na) in _norm(nb) or _norm(nb) in _norm(na))):
        return True
    return same_person(na, nb)


def _score_roles(pred: list[dict], gold: list[dict], counts: _Counts) -> list[str]:
    errors = []
    for p in pred:
        counts.pred[p["role"]] += 1
        if any(g["role"] == p["role"] and persons_match(g["person"], p["person"]) for g in gold):
            counts.tp_pred[p["role"]] += 1
        else:
            errors.append(f"FP role {p['person']}={p['role']}")
    for g in gold:
        counts.gold[g["role"]] += 1
        if any(g["role"] == p["role"] and persons_match(g["person"], p["person"]) for p in pred):
            counts.tp_gold[g["role"]] += 1
        else:
            errors.append(f"FN role {g['person']}={g['role']}")
    return errors


# --- next steps -----------------------------------------------------------------------------------


def _grams(text: str) -> set[str]:
    """English words, Chinese characters and character pairs (pairs count double: see _similarity)."""
    text = text.lower()
    words = set(re.findall(r"[a-z]{3,}", text)) - {"the", "and", "with", "for"}
    cjk = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return words | set(cjk) | {cjk[i : i + 2] for i in range(len(cjk) - 1)}


def _similarity(expected: dict, predicted: dict) -> float:
    ge = _grams(expected.get("action", ""))
    if not ge:
        return 0.0
    best = 0.0
    for field in ("action", "evidence"):
        gp = _grams(predicted.get(field, "") or "")
        if gp:
            best = max(best, len(ge & gp) / len(ge))
    return best


def _score_due(pred: list[dict], gold: list[dict]) -> tuple[int, int, list[str]]:
    pairs = sorted(
        ((_similarity(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)), reverse=True
    )
    taken_g: dict[int, int] = {}
    taken_p: set[int] = set()
    for _, gi, pi in pairs:  # most similar first; with nothing in common, still pair what is left
        if gi in taken_g or pi in taken_p:
            continue
        taken_g[gi], _ = pi, taken_p.add(pi)
    right, errors = 0, []
    for gi, g in enumerate(gold):
        if gi not in taken_g:
            errors.append(f"FN next step {g.get('action')} (due {g.get('due')})")
            continue
        p = pred[taken_g[gi]]
        if (p.get("due") or None) == (g.get("due") or None):
            right += 1
        else:
            errors.append(
                f"due {g.get('action')}: expected {g.get('due')}, got {p.get('due')} ({p['action']})"
            )
    return right, len(gold), errors


def format_report(summary: dict[str, Any]) -> str:
    """The summary as a plain-text table."""
    lines = [f"calls: {summary['calls']}"]
    for name in ("objections", "roles"):
        rep = summary[name]
        lines.append(f"\n{name}:")
        lines.append(f"  {'label':<22}{'P':>8}{'R':>8}{'F1':>8}{'pred':>6}{'gold':>6}")
        for lab, v in rep["per_label"].items():
            lines.append(
                f"  "
                f"{lab:<22}{v['precision']:>8.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}{v['predicted']:>6}{v['expected']:>6}"
            )
        for avg in ("micro", "macro"):
            v = rep[avg]
            lines.append(f"  {avg:<22}{v['precision']:>8.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}")
    ns = summary["next_steps"]
    acc = "n/a" if ns["due_accuracy"] is None else f"{ns['due_accuracy']:.3f}"
    lines.append(f"\nnext steps: due-date accuracy {acc} ({ns['due_correct']}/{ns['expected']})")
    return "\n".join(lines)
