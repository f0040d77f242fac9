"""A recording in, speaker-attributed utterances out: decoding, Whisper, channels or diarization.

Whisper hears one mono signal (a stereo call is mixed down: one pass, not two). Who said each word
comes from the channels when a stereo call carries one party per channel (the word goes to the
channel that is louder over it; the rep's channel is configured, or given per upload), else from
`diarize` (mono): the first voice heard is the rep unless the uploader says the rep speaks second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coachsvc.asr.audio import AudioInputError, Chunk, iter_chunks, open_audio
from coachsvc.asr.diarize import ChannelMap, Diarizer, SpeakerMap
from coachsvc.asr.metrics import normalize
from coachsvc.asr.model import _current_config, get_model
from coachsvc.config import ASR_PROMPTS
from coachsvc.transcripts import Utterance

SPEAKER_NAMES = {"rep": "销售", "customer": "客户"}
#: A channel this much quieter than the other (RMS) is taken as empty: the call is really mono.
SILENT_CHANNEL_RATIO = 0.05
#: Channels this close (RMS of the difference against RMS of the signal) are the same recording.
SAME_CHANNEL_RATIO = 0.05
#: A pause this long inside one Whisper segment starts a new utterance. VAD joins the speech of a
#: channel (or of a quiet stretch) into one stream, so one segment can span several turns.
TURN_GAP_SECONDS = 1.0
#: Text that compresses better than this is a repetition loop (Whisper's own fallback threshold):
#: faster-whisper keeps the last try when every temperature failed; such a segment is dropped.
MAX_COMPRESSION_RATIO = 2.4
#: No one speaks faster than this (characters without spaces and punctuation per second; fast
#: Mandarin is about 7, fast English about 15). More text than that in a stretch of audio is Whisper
#: making it up, typically in the last fraction of a second of a recording, from its prompt.
MAX_CHARS_PER_SECOND = 25.0
#: Progress is written when it has moved at least this much (each write is a database commit).
PROGRESS_STEP = 0.01

ProgressCallback = Callable[[float], None]
SENTENCE_ENDS = set("。！？!?.…")


@dataclass(frozen=True)
class AsrOptions:
    language: str  # zh | en | auto
    beam_size: int
    vad: bool
    word_timestamps: bool
    prompt: str | None
    rep_channel: str  # left | right
    chunk_seconds: float
    max_seconds: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any], language: str) -> AsrOptions:
        template = ASR_PROMPTS.get(language)
        prompt = template.format(terms="、".join(config["WHISPER_VOCABULARY"])) if template else None
        return cls(
            language=language,
            beam_size=config["WHISPER_BEAM_SIZE"],
            vad=config["WHISPER_VAD"],
            word_timestamps=config["WHISPER_WORD_TIMESTAMPS"],
            prompt=prompt,
            rep_channel=config["ASR_REP_CHANNEL"],
            chunk_seconds=config["ASR_CHUNK_SECONDS"],
            max_seconds=config["MAX_AUDIO_SECONDS"],
        )

    def whisper_kwargs(self) -> dict[str, Any]:
        """What faster-whisper's `transcribe` is called with (the benchmark's raw run uses it too)."""
        return {
            "language": None if self.language == "auto" else self.language,
            "beam_size": self.beam_size,
            "vad_filter": self.vad,
            "initial_prompt": self.prompt,
            # On (faster-whisper's default): with it off the initial prompt reaches only the first
            # 30 s window, later windows came out in traditional characters, and hotwords (which
            # do reach every window) made base drop half of visit_mono (CER 0.45).
            "condition_on_previous_text": True,
            "word_timestamps": self.word_timestamps,
        }


def transcribe_path(
    path: str | Path,
    language: str = "zh",
    on_progress: ProgressCallback | None = None,
    *,
    rep_hint: str | None = None,
    config: Mapping[str, Any] | None = None,
    model: Any = None,
) -> list[Utterance]:
    """Transcribe a recording into utterances with speaker (销售/客户), party and times.

    `on_progress(fraction)` is called with the share of the audio transcribed so far.
    `rep_hint`: `left`/`right` (stereo: the rep's channel) or `first`/`second` (mono: whether
    the rep is the first voice heard). Raises `AudioInputError` with a readable reason when the
    recording cannot be transcribed (missing, empty, corrupt, unsupported, too long, no speech).
    """
    config = config if config is not None else _current_config()
    options = AsrOptions.from_config(config, language)
    source = open_audio(path, options.max_seconds)
    run = _Run(model or get_model(config), options, _Progress(source.duration, on_progress), rep_hint)
    for chunk in iter_chunks(source, options.chunk_seconds, options.max_seconds):
        run.add(chunk)
    return run.finish()


class _Run:
    """One transcription, fed chunk by chunk."""

    def __init__(self, model: Any, options: AsrOptions, progress: _Progress, rep_hint: str | None):
        self.model, self.options, self.progress = model, options, progress
        self.rep_hint = (rep_hint or "").strip().lower()
        self.layout: str | int | None = None  # "split", "mix", or the index of the one live channel
        self.segments: list[tuple[float, Any]] = []  # (chunk offset, Whisper segment)
        self.diarizer = Diarizer()
        self.channels = ChannelMap()
        self.decoded = 0.0

    def add(self, chunk: Chunk) -> None:
        self.decoded += chunk.seconds
        if self.layout is None:
            self.layout = channel_layout(chunk.samples)
        if self.layout == "split":
            self.channels.add(chunk.samples)
        if self.layout in ("split", "mix"):
            mono = chunk.samples.mean(axis=0)
        else:
            mono = chunk.samples[self.layout]
        mono = np.ascontiguousarray(mono, dtype=np.float32)
        self.segments.extend((chunk.offset, seg) for seg in self._transcribe(chunk, mono))
        if self.layout != "split":
            self.diarizer.add(mono, chunk.offset)

    def finish(self) -> list[Utterance]:
        if self.decoded == 0:
            raise AudioInputError("音频为空或已损坏，没有可解码的数据 (no decodable audio)")
        if not self.segments:
            raise AudioInputError("录音中没有检测到语音 (no speech was found in the recording)")
        if self.layout == "split":
            speakers, rep = self.channels.finish(), self._rep_channel()
        else:
            speakers = self.diarizer.finish()
            rep = 1 if self.rep_hint == "second" and speakers.speakers == 2 else 0
        utterances = [
            _utterance(piece, "rep" if speaker == rep else "customer")
            for offset, seg in self.segments
            for speaker, piece in split_by_speaker(seg, offset, speakers)
            if normalize(piece.text)  # a stray punctuation mark split off at a turn is not an utterance
        ]
        self.progress.report(1.0)
        return sorted(utterances, key=lambda u: (u.start or 0.0, u.party != "rep"))

    def _transcribe(self, chunk: Chunk, samples: np.ndarray) -> Iterable[Any]:
        segments, _info = self.model.transcribe(samples, **self.options.whisper_kwargs())
        for seg in segments:
            self.progress.at(chunk.offset + min(seg.end, chunk.seconds))
            if _plausible(seg):
                yield seg

    def _rep_channel(self) -> int:
        rep_channel = self.rep_hint if self.rep_hint in ("left", "right") else self.options.rep_channel
        return 0 if rep_channel == "left" else 1


@dataclass
class _Piece:
    start: float
    end: float
    text: str
    words: list[Any] | None


def split_by_speaker(seg: Any, offset: float, speakers: SpeakerMap) -> list[tuple[int, _Piece]]:
    """Cut a Whisper segment where the speaker changes or a long pause falls (by its words' times)."""
    if not seg.words:
        return [(speakers.speaker_at(offset + seg.start, offset + seg.end),
                 _Piece(offset + seg.start, offset + seg.end, seg.text, None))]  # fmt: skip
    labels = _smooth([speakers.speaker_at(offset + w.start, offset + w.end) for w in seg.words], seg.words)
    pieces: list[tuple[int, list[Any]]] = []
    for label, word in zip(labels, seg.words, strict=True):
        if pieces and pieces[-1][0] == label and word.start - pieces[-1][1][-1].end < TURN_GAP_SECONDS:
            pieces[-1][1].append(word)
        else:
            pieces.append((label, [word]))
    return [
        (
            label,
            _Piece(
                offset + ws[0].start, offset + ws[-1].end, "".join(w.word for w in ws), _shift(ws, offset)
            ),
        )
        for label, ws in pieces
    ]


def _plausible(seg: Any) -> bool:
    """False for empty text, repetition loops and more text than the audio could hold."""
    chars = len(normalize(seg.text))
    if not chars or seg.compression_ratio > MAX_COMPRESSION_RATIO:
        return False
    return chars <= MAX_CHARS_PER_SECOND * max(seg.end - seg.start, 0.2)


def channel_layout(samples: np.ndarray) -> str | int:
    """`split` for two channels with different voices; else `mix`, or the one live channel's index."""
    if samples.shape[0] == 1:
        return 0
    rms = np.sqrt(np.mean(np.square(samples, dtype=np.float64), axis=1))
    if rms.max() == 0:
        return "mix"
    if rms.min() < SILENT_CHANNEL_RATIO * rms.max():
        return int(rms.argmax())
    difference = np.sqrt(np.mean(np.square(samples[0] - samples[1], dtype=np.float64)))
    return "mix" if difference < SAME_CHANNEL_RATIO * rms.max() else "split"


def _smooth(labels: list[int], words: list[Any]) -> list[int]:
    """Fix frame-level slips: a lone word between two of the other speaker's words is theirs, and a
    speaker change moves by up to two words onto a sentence end (word times drift at turn ends)."""
    out = list(labels)
    for i in range(1, len(out) - 1):
        if out[i - 1] == out[i + 1] != out[i]:
            out[i] = out[i - 1]
    for i in range(1, len(out)):
        if out[i] != out[i - 1] and not _ends_sentence(words[i - 1]):
            _snap(out, words, i)
    return out


def _snap(labels: list[int], words: list[Any], change: int) -> None:
    for j in (change + 1, change + 2, change - 1, change - 2):
        if 0 < j < len(words) and _ends_sentence(words[j - 1]):
            before, after = labels[change - 1], labels[change]
            for k in range(min(j, change), max(j, change)):
                labels[k] = before if j > change else after
            return


def _ends_sentence(word: Any) -> bool:
    return word.word.rstrip()[-1:] in SENTENCE_ENDS


def _shift(words: list[Any], offset: float) -> list[dict]:
    return [
        {"start": round(offset + w.start, 2), "end": round(offset + w.end, 2), "word": w.word} for w in words
    ]


def _utterance(piece: _Piece, party: str) -> Utterance:
    return Utterance(
        speaker=SPEAKER_NAMES[party],
        text=piece.text.strip(),
        start=round(piece.start, 2),
        end=round(piece.end, 2),
        party=party,
        words=piece.words,
    )


class _Progress:
    """Turns 'transcribed up to second t' into fractions, written at most once per 1 %."""

    def __init__(self, total: float | None, callback: ProgressCallback | None) -> None:
        self.total, self.callback, self.last = total, callback, 0.0

    def at(self, seconds: float) -> None:
        if self.total:
            self.report(min(seconds / self.total, 0.99))

    def report(self, fraction: float) -> None:
        if self.callback and (fraction - self.last >= PROGRESS_STEP or fraction >= 1.0 > self.last):
            self.last = fraction
            self.callback(fraction)
