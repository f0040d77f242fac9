"""Audio generated at test time (nothing large is committed)."""

from __future__ import annotations

import io
import wave

import numpy as np


def tone_wav(seconds: float = 1.0, rate: int = 16000, freq: float = 440.0, amplitude: float = 0.3) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    samples = (amplitude * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    return pcm_wav(samples, rate)


def silence_wav(seconds: float = 2.0, rate: int = 16000) -> bytes:
    return pcm_wav(np.zeros(int(seconds * rate), dtype="<i2"), rate)


def pcm_wav(samples: np.ndarray, rate: int = 16000, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def corrupt_wav() -> bytes:
    """A RIFF header that promises audio, followed by noise no decoder accepts."""
    return b"RIFF\x24\x08\x00\x00WAVEfmt " + bytes(range(256)) * 8
