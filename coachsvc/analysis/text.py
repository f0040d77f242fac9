"""Text handling shared by the extractors: normalisation, sentence and clause splitting, the
jieba tokenizer with the sales user dictionary, pinyin, and the classifier's feature tokens.

Features combine character n-grams (robust to unknown words), pinyin n-grams (robust to ASR
homophone errors: 竞品贵了 and 已经贫归了 share "pin gui le"), jieba words with person names
replaced by a placeholder, and English word n-grams.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Common Chinese surnames (the 120 most frequent), for names such as 王总, 刘经理, 老刘.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "滕柴苗祁应巩佟骆闵邬温辛管卓车路穆晏饶岑蓝鲍尤池乐阎娄蒙谈洪涂邓赖卜都植"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
)
SURNAME_SET = frozenset(SURNAMES)
#: Titles that follow a surname (longest first so 总监 wins over 总).
TITLES = (
    "董事长",
    "总裁",
    "总经理",
    "副总",
    "总监",
    "总工",
    "经理",
    "主任",
    "处长",
    "科长",
    "部长",
    "局长",
    "厂长",
    "院长",
    "校长",
    "主管",
    "组长",
    "老师",
    "博士",
    "助理",
    "秘书",
    "会计",
    "老板",
    "书记",
    "律师",
    "总",
    "工",
    "董",
    "姐",
    "哥",
)

_SENTENCE_END = re.compile(r"[。！？!?；;…\n]+|\.(?=\s|$)")
_COMMA = re.compile(r"[，]|,(?!\s)|(?<=[\u4e00-\u9fff]),|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
#: In English a comma splits only before a new clause (", and we ..."), not in "our CFO, Mark,".
#: A clause that only points back (", and that's a deal breaker", ", which is too slow") stays
#: with the clause it points to.
_EN_COMMA = re.compile(
    r",\s+(?!(?:and|so|but)\s+(?:that|this|it)(?:'s|\s+is|\s+would|\s+will|\s+makes)\b|which\b|it's\b)"
    r"(?=(?:and|but|also|plus|so|though|although|besides|while|we|i|it|they|our|you)\b)",
    re.I,
)
#: Words that start a new clause even without a comma before them (ASR often drops punctuation).
CONNECTIVES = (
    "但是",
    "可是",
    "不过",
    "而且",
    "况且",
    "再加上",
    "主要是",
    "关键是",
    "问题是",
    "还有就是",
    "另一方面",
)
_CONNECTIVE_RE = re.compile("|".join(sorted(CONNECTIVES, key=len, reverse=True)))
_BARE_QIE = re.compile(r"(?<=[^\u4e00-\u9fff\s，,。])且")
_EN_CONNECTIVE_RE = re.compile(r"\b(?:but|and also|also|plus|besides|however|on top of that)\b", re.I)
#: Every clause cut in one scan: after sentence ends and commas, before connectives (group 1).
_ALL_CUTS = re.compile(
    "(?:"
    + _SENTENCE_END.pattern
    + ")|(?:"
    + _COMMA.pattern
    + "|"
    + _EN_COMMA.pattern
    + ")|("
    + _CONNECTIVE_RE.pattern
    + "|"
    + _BARE_QIE.pattern
    + "|"
    + _EN_CONNECTIVE_RE.pattern
    + ")",
    re.I,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[a-z][a-z']*|\d+(?:\.\d+)?%?")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_FILLERS = re.compile(
    r"^(?:嗯+|啊+|呃+|额+|哦+|噢+|那个|就是说|这个|对对|对|好|是的|um+|uh+|well|so|ok|okay)[,，\s]*", re.I
)


class Span(NamedTuple):
    """A piece of an utterance: its text and where it sits in the utterance (a tuple: many
    thousands are made per call)."""

    text: str
    start: int
    end: int


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


@lru_cache(maxsize=4096)
def sentences(text: str) -> tuple[Span, ...]:
    """Split an utterance into sentences (the spans keep the original characters)."""
    return tuple(_sentences(text))


def _sentences(text: str) -> list[Span]:
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        _add(out, text, pos, m.end())
        pos = m.end()
    _add(out, text, pos, len(text))
    return out


@lru_cache(maxsize=4096)
def clauses(text: str) -> tuple[Span, ...]:
    """Split an utterance into clauses: at sentence ends, commas and connectives (但是, 而且,
    主要是 …), so one turn that raises several objections yields one clause per objection."""
    return tuple(_clauses(text))


def _clauses(text: str) -> list[Span]:
    cuts = {0, len(text)}
    # sentence ends and commas (cut after); connectives 但是/"but" and a bare 且 (cut before:
    # 22%且今年…, the ASR dropped 而 of 而且)
    cuts.update(m.start() if m.group(1) is not None else m.end() for m in _ALL_CUTS.finditer(text))
    bounds = sorted(cuts)
    out: list[Span] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        _add(out, text, a, b)
    return _merge_fragments(out, text)


_EDGE = " ,，、。！？!?；;…\n\t"


def _add(out: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip(_EDGE)
    if stripped:
        offset = len(piece) - len(piece.lstrip(_EDGE))
        out.append(Span(stripped, start + offset, start + offset + len(stripped)))


_REPORTED = re.compile(
    r"(?:说|觉得|认为|表示|反馈|提到|原话是|意思是|讲|说了|说实话|老实说|实话实说|坦白讲|坦白说|说句实在话|怎么说呢|"
    r"honestly|to be honest|I'll be honest|frankly|"
    r"(?:thing|problem|issue|concern|worry|question|point|catch) is|"  # "The other thing is, …"
    r"(?:问题|关键|麻烦|顾虑|担心的)是)[:：\s]*$",
    re.I,
)


def _merge_fragments(spans: list[Span], text: str) -> list[Span]:
    """A fragment too short to mean anything alone (太久了, 对) joins the clause before it; a
    clause that only introduces reported speech (老刘还说) joins the one after it."""
    out: list[Span] = []
    for span in spans:
        if out and _REPORTED.search(out[-1].text[-32:]) and not _sentence_gap(text[out[-1].end : span.start]):
            prev = out[-1]
            out[-1] = Span(text[prev.start : span.end], prev.start, span.end)
        elif out and _content_len(span.text) < 4 and not _CONNECTIVE_RE.match(span.text):
            prev = out[-1]
            if _sentence_gap(text[prev.end : span.start]):
                out.append(span)
                continue
            out[-1] = Span(text[prev.start : span.end], prev.start, span.end)
        else:
            out.append(span)
    return out


_SENTENCE_MARK = re.compile(r"[。！？!?；;\n]")


def _sentence_gap(between: str) -> bool:
    return bool(_SENTENCE_MARK.search(between))


_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _content_len(text: str) -> int:
    return len(_CJK.findall(text)) + 2 * len(_LATIN_WORD.findall(text))


def strip_fillers(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _FILLERS.sub("", text, count=1)
    return text


# --- jieba and pinyin (loaded once per process) ---------------------------------------------------

_lock = threading.Lock()
_tokenizer = None
_segmenter: Segmenter | None = None
_pinyin: dict[str, str] | None = None


def tokenizer():
    """The jieba tokenizer: a trimmed general dictionary (models/analysis) + the sales user
    dictionary (coachsvc/analysis/data/userdict.txt)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _load_tokenizer()
    return _tokenizer


def _load_tokenizer():
    import logging

    import jieba

    from coachsvc.analysis.model import artifact_path

    jieba.setLogLevel(logging.WARNING)
    base = artifact_path("jieba_dict.txt")
    tk = jieba.Tokenizer(dictionary=str(base) if base.exists() else jieba.DEFAULT_DICT_NAME)
    tk.initialize()
    with open(DATA_DIR / "userdict.txt", "rb") as fh:
        tk.load_userdict(fh)
    return tk


class Segmenter:
    """jieba's accurate mode without HMM (Tokenizer.cut(..., HMM=False)) on one run of characters
    jieba segments, over the same dictionary: the best route through the dictionary words by log
    frequency (ties: the longer word), single letters and digits joined. Two to three times
    faster than jieba's generator pipeline, which dominated the analysis time; the test
    test_words_cut_per_block_equal_jieba_on_the_whole_text holds it to jieba's output."""

    def __init__(self, tk) -> None:
        import math

        import jieba

        self.blocks = jieba.re_han_default  # the runs of characters jieba segments
        self.letter = jieba.re_eng  # single letters and digits jieba joins into one word
        self.freq = tk.FREQ
        logtotal = math.log(tk.total)
        self.logp = {w: math.log(f) - logtotal for w, f in tk.FREQ.items() if f}
        self.unknown = -logtotal  # jieba: log(FREQ.get(char) or 1) - log(total)

    def segment(self, block: str) -> list[str]:
        n = len(block)
        score = [0.0] * (n + 1)
        end = [0] * (n + 1)
        freq, logp, unknown = self.freq, self.logp, self.unknown
        for k in range(n - 1, -1, -1):
            best, best_end = None, k
            i, frag = k, block[k]
            while i < n and frag in freq:  # every prefix of a dictionary word is in freq
                p = logp.get(frag)
                if p is not None:
                    value = p + score[i + 1]
                    if best is None or value >= best:  # later (longer) wins a tie, as in jieba
                        best, best_end = value, i
                i += 1
                frag = block[k : i + 1]
            if best is None:
                best, best_end = unknown + score[k + 1], k
            score[k], end[k] = best, best_end
        words: list[str] = []
        letters, x = "", 0
        while x < n:
            y = end[x] + 1
            word = block[x:y]
            if y - x == 1 and self.letter.match(word):
                letters += word
            else:
                if letters:
                    words.append(letters)
                    letters = ""
                words.append(word)
            x = y
        if letters:
            words.append(letters)
        return words


def segmenter() -> Segmenter:
    global _segmenter
    if _segmenter is None:
        tk = tokenizer()
        with _lock:
            if _segmenter is None:
                _segmenter = Segmenter(tk)
    return _segmenter


def pinyin_table() -> dict[str, str]:
    """Character → toneless pinyin syllable (built from pypinyin at training time)."""
    global _pinyin
    if _pinyin is None:
        import json

        from coachsvc.analysis.model import artifact_path

        path = artifact_path("pinyin.json")
        _pinyin = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return _pinyin


def to_pinyin(text: str) -> list[str]:
    table = pinyin_table()
    return [table[ch] for ch in text if ch in table]


def same_sound(a: str, b: str) -> bool:
    """Two characters read alike (流/刘): the ASR's favourite confusion for names."""
    table = pinyin_table()
    return a == b or (a in table and table.get(a) == table.get(b))


# --- classifier features -------------------------------------------------------------------------

_PERSON_RE = re.compile("[" + SURNAMES + "](?:" + "|".join(TITLES) + ")|[老小][" + SURNAMES + "]")


#: The characters of the character n-grams (normalised text: digits are 0, names are P).
NGRAM_CHARS = "\u4e00-\u9fffa-z0P%"
_NOT_NGRAM_CHAR = re.compile(f"[^{NGRAM_CHARS}]")


def features_batch(texts: list[str]) -> list[list[str]]:
    """Feature tokens of many clauses, spelled out (training; fastfeatures computes the same at
    run time)."""
    norms, masked = normalised(texts)
    words = split_words(masked)
    out = []
    for norm, mask, ws in zip(norms, masked, words, strict=True):
        out.append(_zh_features(mask, ws) + _en_features(norm) if mask else _en_features(norm))
    return out


def normalised(texts: list[str]) -> tuple[list[str], list[str]]:
    """Each text without fillers, NFKC, lower case, digits as 0; and the same with names masked
    as P when it is Chinese ("" otherwise: no Chinese features)."""
    norms = [_DIGITS.sub("0", normalize(strip_fillers(t))) for t in texts]
    return norms, [_PERSON_RE.sub("P", n) if is_chinese(n) else "" for n in norms]


def word_features(words: list[str]) -> list[str]:
    """jieba words and word pairs."""
    return ["w:" + w for w in words] + ["w:" + a + "|" + b for a, b in zip(words, words[1:], strict=False)]


_WORDS_CACHE: dict[str, list[str]] = {}
_WORDS_CACHE_MAX = 20000


def clear_caches() -> None:
    """Forget the texts seen so far (sentences, clauses, words): a benchmark measures a new call."""
    sentences.cache_clear()
    clauses.cache_clear()
    _WORDS_CACHE.clear()


def split_words(texts: list[str]) -> list[list[str]]:
    """jieba words of each text (no HMM), the same as cutting each text whole: each run of
    characters jieba segments is cut once (Segmenter) and cached."""
    seg = segmenter()
    # jieba cuts each run of its characters on its own and passes every other character through
    # alone, so words are cached per run: a sentence reuses its clauses' runs
    pieces = [seg.blocks.split(t) for t in texts]
    todo = {p for ps in pieces for p in ps[1::2] if p not in _WORDS_CACHE}
    if todo:
        if len(_WORDS_CACHE) > _WORDS_CACHE_MAX:
            clear_caches()
        _WORDS_CACHE.update((block, seg.segment(block)) for block in todo)
    out = []
    for ps in pieces:
        words: list[str] = []
        for n, piece in enumerate(ps):
            if n % 2:
                words += _WORDS_CACHE[piece]
            else:
                words += [ch for ch in piece if not ch.isspace()]
        out.append(words)
    return out


def _zh_features(masked: str, words: list[str]) -> list[str]:
    """Character 1-3-grams (with text boundaries), pinyin 1-2-grams, jieba words and word pairs.
    fastfeatures.FeatureIndex computes the same features as vocabulary indices at run time."""
    chars = "^" + _NOT_NGRAM_CHAR.sub("", masked) + "$"
    feats = [chars[i : i + n] for n in (1, 2, 3) for i in range(len(chars) - n + 1)]
    syl = to_pinyin(masked)
    feats += ["p:" + s for s in syl]
    feats += ["p:" + a + "_" + b for a, b in zip(syl, syl[1:], strict=False)]
    return feats + word_features(words)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _en_features(norm: str) -> list[str]:
    words = [_stem(w) for w in _EN_WORD.findall(norm)]
    if not words:
        return []
    feats = ["e:" + w for w in words]
    feats += ["e:" + a + "_" + b for a, b in zip(words, words[1:], strict=False)]
    feats += ["e:" + a + "_" + b + "_" + c for a, b, c in zip(words, words[1:], words[2:], strict=False)]
    return feats
