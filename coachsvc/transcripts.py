"""Chat transcript formats of domain.md: `说话人：内容` lines (optionally time-stamped), WeChat-style
exports and JSON. Parsing turns a file's text into utterances or names the problem."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from coachsvc.config import DEFAULT_REP_SPEAKERS


@dataclass
class Utterance:
    speaker: str
    text: str
    start: float | None = None  # seconds from the first time stamp, when the source has them
    end: float | None = None
    line_no: int | None = None  # 1-based line of the source where the utterance starts
    party: str | None = None  # rep | customer, when the source says (ASR: channel or diarization)
    words: list[dict] | None = None  # ASR word timings: {"start", "end", "word"}


class TranscriptFormatError(ValueError):
    """The text is not a transcript in any known format; the message says where and why."""


_STAMP = r"\d{1,2}:\d{2}(?::\d{2})?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?"
_LINE = re.compile(
    rf"^(?:\[(?P<ts>{_STAMP})\]\s*)?(?P<speaker>[^:：\[\]\s][^:：\[\]]{{0,39}}?)\s*[:：]\s*(?P<text>.*\S)\s*$"
)
_WECHAT_HEAD = re.compile(
    r"^(?P<speaker>\S.{0,39}?)\s+(?P<ts>\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?)\s*$"
)


def parse_transcript(text: str) -> tuple[str, list[Utterance]]:
    """Parse a transcript; return its format name (`json`, `wechat`, `lines`) and utterances."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise TranscriptFormatError("文本为空 (the transcript has no text)")
    stripped = text.lstrip()
    if stripped.startswith("[") and stripped.rstrip().endswith("]") and _looks_like_json(stripped):
        return "json", _parse_json(stripped)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if _WECHAT_HEAD.match(first.strip()):
        return "wechat", _finish(_parse_wechat(lines))
    return "lines", _finish(_parse_lines(lines))


def party_of(speaker: str, rep_speaker: str | None = None) -> str:
    """`rep` for the rep's lines (named by the uploader, or 销售/Rep), else `customer`."""
    if rep_speaker:
        return "rep" if speaker.strip() == rep_speaker.strip() else "customer"
    return "rep" if speaker.strip() in DEFAULT_REP_SPEAKERS else "customer"


def _looks_like_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _parse_json(text: str) -> list[Utterance]:
    data = json.loads(text)
    if not isinstance(data, list) or not data:
        raise TranscriptFormatError("JSON 须为非空数组 (JSON must be a non-empty array)")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise TranscriptFormatError(f"JSON 第{i + 1}项缺少 text (item {i + 1} has no text)")
        if not isinstance(item.get("speaker"), str) or not item["speaker"].strip():
            raise TranscriptFormatError(f"JSON 第{i + 1}项缺少 speaker (item {i + 1} has no speaker)")
        start, end = item.get("start"), item.get("end")
        for name, value in (("start", start), ("end", end)):
            if value is not None and not isinstance(value, int | float):
                raise TranscriptFormatError(f"JSON 第{i + 1}项 {name} 不是数字 (item {i + 1})")
        out.append(Utterance(item["speaker"].strip(), item["text"].strip(), start, end, i + 1))
    return _finish(out, fill_end=True)


def _parse_lines(lines: list[str]) -> list[Utterance]:
    out: list[Utterance] = []
    stamps: list[tuple[Utterance, str]] = []
    nonblank = 0
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        nonblank += 1
        m = _LINE.match(line)
        if m:
            utt = Utterance(m["speaker"].strip(), m["text"].strip(), line_no=no)
            out.append(utt)
            if m["ts"]:
                stamps.append((utt, m["ts"]))
        elif out:
            out[-1].text += "\n" + line  # a message that runs over several lines
        else:
            raise TranscriptFormatError(f"第{no}行不是“说话人：内容”格式 (line {no} is not `speaker: text`)")
    if len(out) * 2 < nonblank:
        raise TranscriptFormatError("大部分行不是“说话人：内容”格式 (most lines are not `speaker: text`)")
    _apply_stamps(stamps)
    return out


def _parse_wechat(lines: list[str]) -> list[Utterance]:
    out: list[Utterance] = []
    stamps: list[tuple[Utterance, str]] = []
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        head = _WECHAT_HEAD.match(line)
        if head:
            utt = Utterance(head["speaker"].strip(), "", line_no=no)
            out.append(utt)
            stamps.append((utt, head["ts"]))
        elif line and out:
            out[-1].text = (out[-1].text + "\n" + line).strip()
    empty = [u.line_no for u in out if not u.text]
    if empty:
        raise TranscriptFormatError(f"第{empty[0]}行的消息没有内容 (message at line {empty[0]} is empty)")
    _apply_stamps(stamps)
    return out


def _apply_stamps(stamps: list[tuple[Utterance, str]]) -> None:
    if not stamps:
        return
    values = [_stamp_seconds(ts) for _, ts in stamps]
    base = values[0] if isinstance(values[0], dt.datetime) else None
    for (utt, _), value in zip(stamps, values, strict=True):
        if isinstance(value, dt.datetime):
            utt.start = (value - base).total_seconds() if base else None
        else:
            utt.start = value


def _stamp_seconds(ts: str) -> float | dt.datetime:
    if re.match(r"^\d{4}", ts):
        norm = re.sub(r"[/.]", "-", ts).replace("T", " ")
        fmt = "%Y-%m-%d %H:%M:%S" if norm.count(":") == 2 else "%Y-%m-%d %H:%M"
        try:
            return dt.datetime.strptime(norm, fmt)
        except ValueError as exc:
            raise TranscriptFormatError(f"时间戳无效：{ts} (invalid time stamp)") from exc
    parts = [int(p) for p in ts.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts
    return float(h * 3600 + m * 60 + s)


def _finish(utts: list[Utterance], fill_end: bool = True) -> list[Utterance]:
    """Drop empty utterances and give each an end: the next one's start, when known."""
    utts = [u for u in utts if u.text.strip()]
    if not utts:
        raise TranscriptFormatError("没有可识别的发言 (no utterances found)")
    if fill_end:
        for cur, nxt in zip(utts, utts[1:], strict=False):
            if cur.end is None and cur.start is not None and nxt.start is not None:
                cur.end = max(cur.start, nxt.start)
        last = utts[-1]
        if last.end is None and last.start is not None:
            last.end = last.start
    return utts
