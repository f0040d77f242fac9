"""Accuracy measures shared by the tests and the benchmarks: character error rate, party accuracy."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def normalize(text: str) -> str:
    """Drop punctuation, symbols and spaces, lower-case: what CER compares."""
    return "".join(c.lower() for c in text if not unicodedata.category(c).startswith(("P", "Z", "S", "C")))


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edit distance over the reference's length (after `normalize`)."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    return _distance(ref, hyp) / max(len(ref), 1)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate for space-separated languages."""
    ref = [normalize(w) for w in reference.split() if normalize(w)]
    hyp = [normalize(w) for w in hypothesis.split() if normalize(w)]
    return _distance(ref, hyp) / max(len(ref), 1)


def party_accuracy(reference: Sequence[tuple[str, str]], hypothesis: Sequence[tuple[str, str]]) -> float:
    """Share of aligned (matching) characters whose party agrees: [(party, text), ...] each side."""
    ref = [(p, c) for p, t in reference for c in normalize(t)]
    hyp = [(p, c) for p, t in hypothesis for c in normalize(t)]
    pairs = _aligned_pairs([c for _, c in ref], [c for _, c in hyp])
    if not pairs:
        return 0.0
    return sum(ref[i][0] == hyp[j][0] for i, j in pairs) / len(pairs)


def _distance(ref: Sequence, hyp: Sequence) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def _aligned_pairs(ref: Sequence, hyp: Sequence) -> list[tuple[int, int]]:
    """Index pairs of equal items on one minimal edit path (Levenshtein back-trace)."""
    n, m = len(ref), len(hyp)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        table[i][0] = i
    for j in range(m + 1):
        table[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            table[i][j] = min(
                table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1])
            )
    pairs, i, j = [], n, m
    while i and j:
        if table[i][j] == table[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            if ref[i - 1] == hyp[j - 1]:
                pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif table[i][j] == table[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]
