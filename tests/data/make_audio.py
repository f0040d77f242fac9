"""Re-encode the shared audio fixtures to Ogg/Opus for the tests (small enough to commit).

Run: .venv/bin/python tests/data/make_audio.py [../shared/fixtures/audio]
"""

from __future__ import annotations

import sys
from pathlib import Path

import av

HERE = Path(__file__).resolve().parent
FILES = {  # source wav -> (target, bit rate)
    "visit_mono.wav": ("visit_mono.opus", 24_000),
    "visit_stereo.wav": ("visit_stereo.opus", 32_000),
    "aishell1_BAC009S0764W0121.wav": ("aishell1_BAC009S0764W0121.opus", 24_000),
}


def encode(src: Path, dst: Path, bit_rate: int) -> None:
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="ogg") as out:
        in_stream = inp.streams.audio[0]
        layout = "stereo" if in_stream.codec_context.channels == 2 else "mono"
        stream = out.add_stream("libopus", rate=48000, layout=layout)
        stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format="s16", layout=layout, rate=48000)
        for frame in inp.decode(in_stream):
            for resampled in resampler.resample(frame):
                out.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            out.mux(stream.encode(resampled))
        out.mux(stream.encode(None))


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[2] / "shared/fixtures/audio")
    for name, (target, bit_rate) in FILES.items():
        encode(source / name, HERE / target, bit_rate)
        print(target, (HERE / target).stat().st_size)


if __name__ == "__main__":
    main()
