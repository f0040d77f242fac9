"""Who speaks when, in a mono recording of a two-party visit.

Method: Silero VAD (shipped with faster-whisper) finds speech; each 1 s window of speech (0.5 s
hop) is described by the mean and standard deviation of 19 MFCCs (from the same log-mel
spectrogram Whisper uses); the standardised windows are clustered in two with k-means
(scikit-learn; linear in the number of windows, and on visit_mono it labels exactly as Ward
agglomerative clustering, which needs quadratic memory); each 10 ms frame takes the majority label
of the windows covering it.

A one-voice recording also splits in two clusters, but by phonetic content, so neighbouring
windows inside one stretch of speech disagree often. If they agree less than
`MIN_TURN_CONSISTENCY` of the time the recording is taken as one speaker. Measured
(bench/diarize.py): two parties agree 0.98-1.00, a single voice 0.74-0.80.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coachsvc.asr.audio import SAMPLE_RATE

WINDOW_SECONDS = 1.0  # visit_mono: 1.0/0.5 s gave 0 % confusion, 2.0/1.0 s missed 13 % of speech
HOP_SECONDS = 0.5
MIN_TURN_CONSISTENCY = 0.9
MIN_WINDOW_FRAMES = 10  # windows shorter than 100 ms carry too little to describe a voice
FRAMES_PER_SECOND = 100  # Whisper's log-mel hop is 10 ms
N_MFCC = 20


@dataclass
class SpeakerMap:
    """Per-10 ms-frame speaker labels (0 = whoever speaks first) for the whole recording."""

    labels: np.ndarray  # int8; -1 where nobody was heard
    speakers: int  # 1 or 2

    def speaker_at(self, start: float, end: float) -> int:
        """The majority speaker over [start, end], or the nearest labelled frame's speaker."""
        if self.speakers == 1 or not len(self.labels):
            return 0
        lo = max(0, min(int(start * FRAMES_PER_SECOND), len(self.labels) - 1))
        hi = max(lo + 1, min(int(end * FRAMES_PER_SECOND) + 1, len(self.labels)))
        span = self.labels[lo:hi]
        heard = span[span >= 0]
        if len(heard):
            return int(np.bincount(heard, minlength=2).argmax())
        return self._nearest(lo)

    def _nearest(self, frame: int) -> int:
        labelled = np.flatnonzero(self.labels >= 0)
        if not len(labelled):
            return 0
        return int(self.labels[labelled[np.abs(labelled - frame).argmin()]])


class Diarizer:
    """Collects window features chunk by chunk (memory stays small), then clusters them once."""

    def __init__(self) -> None:
        self._windows: list[tuple[float, float, int]] = []  # start, end, speech region id
        self._features: list[np.ndarray] = []
        self._regions = 0
        self._frames = 0

    def add(self, samples: np.ndarray, offset: float) -> None:
        """Add one mono chunk (float32, 16 kHz) that starts `offset` seconds into the recording."""
        from faster_whisper.feature_extractor import FeatureExtractor
        from scipy.fft import dct

        self._frames = max(self._frames, int((offset + len(samples) / SAMPLE_RATE) * FRAMES_PER_SECOND))
        regions = speech_regions(samples)
        if not regions:
            return
        mfcc = dct(FeatureExtractor(feature_size=80)(samples), type=2, norm="ortho", axis=0)[1:N_MFCC]
        for start, end in regions:
            for ws, we in _windows(start, end):
                block = mfcc[:, int(ws * FRAMES_PER_SECOND) : int(we * FRAMES_PER_SECOND)]
                if block.shape[1] >= MIN_WINDOW_FRAMES:
                    self._windows.append((offset + ws, offset + we, self._regions))
                    self._features.append(np.concatenate([block.mean(axis=1), block.std(axis=1)]))
            self._regions += 1

    def finish(self) -> SpeakerMap:
        """Cluster the windows into at most two speakers; label 0 is whoever speaks first."""
        labels = np.full(self._frames, -1, dtype=np.int8)
        if len(self._features) < 4:
            return SpeakerMap(self._fill(labels, np.zeros(len(self._windows), dtype=int)), 1)
        window_labels = _cluster(np.array(self._features))
        if turn_consistency(window_labels, [w[2] for w in self._windows]) < MIN_TURN_CONSISTENCY:
            return SpeakerMap(self._fill(labels, np.zeros(len(window_labels), dtype=int)), 1)
        if window_labels[0] == 1:
            window_labels = 1 - window_labels
        return SpeakerMap(self._fill(labels, window_labels), 2)

    def _fill(self, labels: np.ndarray, window_labels: np.ndarray) -> np.ndarray:
        votes = np.zeros((len(labels), 2), dtype=np.int16)
        for (start, end, _), label in zip(self._windows, window_labels, strict=True):
            votes[int(start * FRAMES_PER_SECOND) : int(end * FRAMES_PER_SECOND), label] += 1
        heard = votes.sum(axis=1) > 0
        labels[heard] = votes[heard].argmax(axis=1)
        return labels


def speech_regions(samples: np.ndarray) -> list[tuple[float, float]]:
    """Stretches of speech (seconds); short pauses (250 ms) end a stretch, so turns separate."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=250, speech_pad_ms=30)
    return [
        (r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE) for r in get_speech_timestamps(samples, options)
    ]


def turn_consistency(window_labels: np.ndarray, regions: list[int]) -> float:
    """Share of neighbouring windows in one stretch of speech that have the same label."""
    regions_arr = np.asarray(regions)
    same_region = regions_arr[1:] == regions_arr[:-1]
    if not same_region.any():
        return 0.0
    return float((window_labels[1:][same_region] == window_labels[:-1][same_region]).mean())


def _windows(start: float, end: float) -> list[tuple[float, float]]:
    starts = list(np.arange(start, max(start, end - WINDOW_SECONDS) + 1e-6, HOP_SECONDS))
    if end - WINDOW_SECONDS > starts[-1] + 1e-6:
        starts.append(end - WINDOW_SECONDS)  # the last window ends where the speech ends
    return [(float(s), min(float(s) + WINDOW_SECONDS, end)) for s in starts]


def _cluster(features: np.ndarray) -> np.ndarray:
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    scaled = StandardScaler().fit_transform(features)
    return KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(scaled)


#: A 10 ms frame belongs to the louder channel when it is at least this many times louder (6 dB).
CHANNEL_DOMINANCE = 2.0


class ChannelMap:
    """Stereo calls: each 10 ms frame belongs to the channel that carries it (0 = left, 1 = right)."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        """Add one stereo chunk (float32, shape (2, n), 16 kHz); chunks arrive in order."""
        hop = SAMPLE_RATE // FRAMES_PER_SECOND
        frames = samples.shape[1] // hop
        rms = np.sqrt(np.mean(np.square(samples[:, : frames * hop].reshape(2, frames, hop)), axis=2))
        labels = np.full(frames, -1, dtype=np.int8)
        labels[rms[0] >= CHANNEL_DOMINANCE * rms[1]] = 0
        labels[rms[1] >= CHANNEL_DOMINANCE * rms[0]] = 1
        labels[rms.max(axis=0) == 0] = -1
        self._parts.append(labels)

    def finish(self) -> SpeakerMap:
        labels = np.concatenate(self._parts) if self._parts else np.zeros(0, dtype=np.int8)
        return SpeakerMap(labels, 2)
