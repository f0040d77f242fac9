"""Audio probing and decoding with PyAV (FFmpeg): what the upload check and the ASR step share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

AUDIO_SUFFIXES = {
    ".wav", ".mp3", ".m4a", ".aac", ".amr", ".ogg", ".oga", ".opus", ".webm", ".flac", ".mp4",
    ".3gp", ".wma",
}  # fmt: skip


class AudioError(ValueError):
    """The file is not decodable audio; the message says why, in Chinese and English."""


@dataclass
class AudioInfo:
    format: str
    codec: str
    channels: int
    sample_rate: int
    duration: float | None


def probe_audio(path: Path | str, decode_frames: int = 5) -> AudioInfo:
    """Open the file, find its audio stream and decode a few frames to prove it is playable."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError("文件中没有音频流 (the file has no audio stream)")
            stream = container.streams.audio[0]
            if stream.codec_context is None:  # FFmpeg reads the container but has no such decoder
                raise AudioError("不支持的音频编码 (unsupported audio codec)")
            info = AudioInfo(
                format=container.format.name,
                codec=stream.codec_context.name,
                channels=stream.codec_context.channels or 0,
                sample_rate=stream.codec_context.sample_rate or 0,
                duration=_duration(container, stream),
            )
            decoded = 0
            for _frame in container.decode(stream):
                decoded += 1
                if decoded >= decode_frames:
                    break
    except AudioError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(f"音频无法解码 (audio cannot be decoded: {exc})") from exc
    if decoded == 0:
        raise AudioError("音频为空或已损坏，没有可解码的数据 (no decodable audio frames)")
    return info


def _duration(container: av.container.InputContainer, stream: av.audio.AudioStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None
