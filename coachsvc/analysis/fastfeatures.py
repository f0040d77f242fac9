"""The classifiers' features of many texts straight to vocabulary indices, with numpy.

`text.features_batch` is the reference: it spells every feature out as a string (what training
and the vectorizer see). Most of those strings are character n-grams and pinyin n-grams; building
and looking up tens of thousands of them per call dominated the analysis time. Here they are
computed as integer keys over the whole batch at once (a character n-gram from its code points, a
pinyin n-gram from syllable numbers) and looked up in sorted key arrays; only the word features
(jieba words, English words) go through the string vocabulary. The result is the same multiset
of vocabulary indices per text as the reference (tests/analysis/test_fastfeatures.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np

from coachsvc.analysis import text as T

_SEP = "\x01"
_LETTER = re.compile(r"[a-z0-9]")  # English features need a word (normalised text is lower case)
_DROP = re.compile(f"[^{T.NGRAM_CHARS}{_SEP}]")
_BITS = 21  # code points are below 2**21
_PINYIN_BITS = 12


@dataclass
class FeatureIndex:
    """The vocabulary split by kind: sorted integer keys of character and pinyin n-grams, and a
    dict of the rest (word features)."""

    char_keys: np.ndarray
    char_ids: np.ndarray
    pinyin_keys: np.ndarray
    pinyin_ids: np.ndarray
    words: dict[str, int]
    syllable_of: np.ndarray  # code point (BMP) -> syllable number, 0 when none

    @classmethod
    def build(cls, vocab: dict[str, int], pinyin: dict[str, str]) -> FeatureIndex:
        syllables = {s: n for n, s in enumerate(sorted(set(pinyin.values())), start=1)}
        syllable_of = np.zeros(0x10000, dtype=np.int64)
        for ch, syl in pinyin.items():
            syllable_of[ord(ch)] = syllables[syl]
        chars, pins, words = {}, {}, {}
        for term, idx in vocab.items():
            if term.startswith("p:"):
                parts = term[2:].split("_")
                if all(p in syllables for p in parts) and len(parts) <= 2:
                    pins[_pinyin_key([syllables[p] for p in parts])] = idx
                    continue
            elif not term.startswith(("w:", "e:")) and 1 <= len(term) <= 3:
                chars[_char_key([ord(c) for c in term])] = idx
                continue
            words[term] = idx
        return cls(*_sorted(chars), *_sorted(pins), words, syllable_of)

    def encode(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, vocabulary index) of every known feature of the texts."""
        norms, masked = T.normalised(texts)
        zh_rows = [i for i, m in enumerate(masked) if m]
        rows, ids = [], []
        if zh_rows:
            r, i = self._zh_ngrams([masked[n] for n in zh_rows])
            rows.append(np.asarray(zh_rows, dtype=np.int64)[r])
            ids.append(i)
        word_rows, word_ids = self._word_features(norms, masked)
        rows.append(word_rows)
        ids.append(word_ids)
        row, idx = np.concatenate(rows), np.concatenate(ids)
        known = idx >= 0
        return row[known], idx[known]

    def _zh_ngrams(self, masked: list[str]) -> tuple[np.ndarray, np.ndarray]:
        kept = _DROP.sub("", _SEP.join(masked))
        stream = "^" + kept.replace(_SEP, "$" + _SEP + "^") + "$"
        cp = np.frombuffer(stream.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        sep = cp == 1
        doc = np.cumsum(sep)
        ok = ~sep
        rows, ids = [], []
        # character 1-, 2- and 3-grams that do not cross a text boundary
        keys1 = cp[ok]
        rows.append(doc[ok])
        ids.append(_lookup(keys1, self.char_keys, self.char_ids))
        ok2 = ok[:-1] & ok[1:]
        keys2 = (cp[:-1] << _BITS | cp[1:])[ok2]
        rows.append(doc[:-1][ok2])
        ids.append(_lookup(keys2, self.char_keys, self.char_ids))
        ok3 = ok2[:-1] & ok[2:]
        keys3 = (cp[:-2] << 2 * _BITS | cp[1:-1] << _BITS | cp[2:])[ok3]
        rows.append(doc[:-2][ok3])
        ids.append(_lookup(keys3, self.char_keys, self.char_ids))
        # pinyin 1- and 2-grams of the syllables of each text, in order
        syl = np.where(cp < 0x10000, self.syllable_of[np.minimum(cp, 0xFFFF)], 0)
        has = syl > 0
        s, d = syl[has], doc[has]
        rows.append(d)
        ids.append(_lookup(s, self.pinyin_keys, self.pinyin_ids))
        same = d[:-1] == d[1:]
        rows.append(d[:-1][same])
        ids.append(_lookup((s[:-1] << _PINYIN_BITS | s[1:])[same], self.pinyin_keys, self.pinyin_ids))
        return np.concatenate(rows), np.concatenate(ids)

    def _word_features(self, norms: list[str], masked: list[str]) -> tuple[np.ndarray, np.ndarray]:
        zh_words = T.split_words(masked)
        docs = []
        for norm, mask, ws in zip(norms, masked, zh_words, strict=True):
            feats = T._en_features(norm) if _LETTER.search(norm) else []
            docs.append(feats + T.word_features(ws) if mask else feats)
        return token_indices(docs, self.words)


def token_indices(docs: list[list[str]], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row, vocabulary index or -1) of every token of the documents, in C-level lookups."""
    get = vocab.get
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    flat = chain.from_iterable(map(get, doc, repeat(-1)) for doc in docs)
    ids = np.fromiter(flat, dtype=np.int64, count=int(lengths.sum()))
    return np.repeat(np.arange(len(docs), dtype=np.int64), lengths), ids


def _char_key(codes: list[int]) -> int:
    key = 0
    for c in codes:
        key = key << _BITS | c
    return key


def _pinyin_key(numbers: list[int]) -> int:
    key = 0
    for s in numbers:
        key = key << _PINYIN_BITS | s
    return key


def _sorted(table: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.fromiter(table, dtype=np.int64, count=len(table))
    ids = np.fromiter(table.values(), dtype=np.int64, count=len(table))
    order = np.argsort(keys)
    return keys[order], ids[order]


def _lookup(keys: np.ndarray, sorted_keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The vocabulary index of each key, -1 when it is not in the vocabulary."""
    if not len(sorted_keys) or not len(keys):
        return np.full(len(keys), -1, dtype=np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, len(sorted_keys) - 1)
    return np.where(sorted_keys[pos] == keys, ids[pos], -1)
