"""Decoding a recording for Whisper: 16 kHz float32, per channel, in bounded chunks.

Every way a file can be unusable ends in `AudioInputError` with a reason a rep can read
(Chinese, then English in brackets): missing, empty, not decodable, an unsupported codec, longer
than the configured maximum.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 16000
CUT_SEARCH_SECONDS = 5.0


class AudioInputError(ValueError):
    """The recording cannot be transcribed; the message is the reason shown on the record."""


@dataclass(frozen=True)
class AudioSource:
    path: str
    channels: int  # 1, or 2 (more are down-mixed to stereo)
    duration: float | None  # from the container; the decoded length is checked as well
    codec: str


@dataclass(frozen=True)
class Chunk:
    offset: float  # seconds from the start of the recording
    samples: np.ndarray  # float32, shape (channels, n)

    @property
    def seconds(self) -> float:
        return self.samples.shape[1] / SAMPLE_RATE


def open_audio(path: str | Path, max_seconds: float) -> AudioSource:
    """Check that `path` holds decodable audio no longer than `max_seconds`."""
    path = Path(path)
    if not path.is_file():
        raise AudioInputError("上传的文件已不存在 (the uploaded file is missing)")
    if path.stat().st_size == 0:
        raise AudioInputError("音频文件为空 (the audio file is empty)")
    with _open(path) as container:
        stream = _audio_stream(container)
        duration = _duration(container, stream)
        source = AudioSource(str(path), min(stream.codec_context.channels or 1, 2), duration,
                             stream.codec_context.name)  # fmt: skip
    check_length(duration, max_seconds)
    return source


def iter_chunks(source: AudioSource, chunk_seconds: float, max_seconds: float) -> Iterator[Chunk]:
    """Decode the recording chunk by chunk, so memory stays bounded whatever its length."""
    layout = "stereo" if source.channels == 2 else "mono"
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
    per_chunk = int(chunk_seconds * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    have, offset = 0, 0.0
    for frame in _decoded_frames(source.path):
        for out in resampler.resample(frame):
            pending.append(out.to_ndarray())
            have += pending[-1].shape[1]
        check_length(offset + have / SAMPLE_RATE, max_seconds)
        while have >= per_chunk:
            block = np.concatenate(pending, axis=1)
            cut = quiet_cut(block[:, :per_chunk])
            yield Chunk(offset, block[:, :cut])
            pending, have, offset = [block[:, cut:]], have - cut, offset + cut / SAMPLE_RATE
    for out in resampler.resample(None):
        pending.append(out.to_ndarray())
    if pending and sum(p.shape[1] for p in pending):
        yield Chunk(offset, np.concatenate(pending, axis=1))


def quiet_cut(block: np.ndarray) -> int:
    """Where to end a chunk: the quietest 100 ms in its last `CUT_SEARCH_SECONDS`, so a chunk
    boundary falls in a pause rather than inside a word."""
    frame = SAMPLE_RATE // 10
    search = min(int(CUT_SEARCH_SECONDS * SAMPLE_RATE), block.shape[1]) // frame * frame
    if search < frame:
        return block.shape[1]
    tail = block[:, block.shape[1] - search :]
    energy = np.square(tail).mean(axis=0).reshape(-1, frame).mean(axis=1)
    return block.shape[1] - search + (int(energy.argmin()) + 1) * frame


def check_length(seconds: float | None, max_seconds: float) -> None:
    if seconds is not None and seconds > max_seconds:
        raise AudioInputError(
            f"录音时长超过 {max_seconds:.0f} 秒上限 (the recording is longer than {max_seconds:.0f} s)"
        )


def _decoded_frames(path: str) -> Iterator[av.AudioFrame]:
    with _open(Path(path)) as container:
        stream = _audio_stream(container)
        try:
            yield from container.decode(stream)
        except av.error.FFmpegError as exc:
            raise AudioInputError(f"音频数据已损坏，无法解码 (audio data is corrupt: {exc})") from exc


def _open(path: Path):
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioInputError(f"无法识别的音频文件，无法解码 (not a decodable audio file: {exc})") from exc


def _audio_stream(container) -> av.audio.AudioStream:
    if not container.streams.audio:
        raise AudioInputError("文件中没有音频流 (the file has no audio stream)")
    stream = container.streams.audio[0]
    if stream.codec_context is None:  # FFmpeg knows the container but has no decoder for the codec
        raise AudioInputError("不支持的音频编码 (unsupported audio codec)")
    return stream


def _duration(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None
