"""ASR benchmarks: accuracy and speed of the defaults, the whole pipeline against raw faster-whisper,
worker memory and classes, and the web process's memory while a 500 MB upload streams in.

    .venv/bin/python bench/asr.py accuracy          # CER / RTF of settings on visit_mono.wav, English RTF
    .venv/bin/python bench/asr.py pipeline [simple|fork]   # upload -> done vs raw, worker peak RSS
    .venv/bin/python bench/asr.py upload            # web process RSS while uploading 500 MB
    .venv/bin/python bench/asr.py diarize           # speaker attribution quality

RTF is wall time / audio time; "CPU" is the process's CPU time (all threads) / audio time, which
machine load does not inflate: with 2 threads, a quiet machine's RTF is about CPU / 2 or a bit more.
Figures and commands are kept in bench/README.md ("ASR").
"""

from __future__ import annotations

import http.client
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coachsvc.asr.metrics import cer, party_accuracy  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "audio"
VISIT = FIXTURES / "visit_mono.wav"
ENGLISH_TEXT = (
    "Good morning, and thank you for taking the time to meet with us today. I would like to start by "
    "understanding how your team handles purchase approvals at the moment. Most of our approvals still go "
    "through spreadsheets and email. When the team grows, requests get lost, and nobody knows who is "
    "holding them up. How many people usually need to sign off on a single order? Usually three people. "
    "The plant manager, the finance director, and our procurement manager. In the end, the general manager "
    "makes the final decision. Our system routes every approval automatically, and it sends a reminder "
    "when a request has been waiting for more than twenty four hours. That sounds useful, but your price "
    "is about twenty percent higher than your competitor, and our budget for this year has already been "
    "spent. I understand. May I ask whether the other offer includes implementation and after sales "
    "support? I am not sure about that. I would have to ask our procurement manager. Of course. Could we "
    "meet with the procurement manager next Tuesday and compare the two proposals side by side? Yes, next "
    "Tuesday afternoon works for us. Please send the proposal before Monday. No problem. I will send you "
    "the proposal and a return on investment estimate before Monday. "
)


def reference() -> list[tuple[str, str]]:
    lines = (FIXTURES / "visit.txt").read_text(encoding="utf-8").splitlines()
    return [
        ("rep" if ln.startswith("销售") else "customer", ln.split("：", 1)[1]) for ln in lines if "：" in ln
    ]


def config(**overrides):
    from coachsvc.config import load_config

    return {**load_config({"SECRET_KEY": "bench"}), **overrides}


def english_wav(directory: Path, repeats: int = 4) -> Path:
    path = directory / "english.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(path), ENGLISH_TEXT * repeats], check=True
    )
    return path


def duration(path: Path) -> float:
    from faster_whisper import decode_audio

    return len(decode_audio(str(path))) / 16000


def raw_run(model, path: Path, kwargs: dict) -> tuple[str, float]:
    """Plain faster-whisper: decode, transcribe, consume the segments."""
    from faster_whisper import decode_audio

    started = time.perf_counter()
    segments, _ = model.transcribe(decode_audio(str(path)), **kwargs)
    text = "".join(s.text for s in segments)
    return text, time.perf_counter() - started


def cmd_accuracy() -> None:
    from coachsvc.asr import get_model, transcribe_path
    from coachsvc.asr.transcribe import AsrOptions

    base = config()
    model = get_model(base)
    ref = "".join(t for _, t in reference())
    seconds = duration(VISIT)
    print(f"load {os.getloadavg()}")
    variants = [
        ("defaults", {}),
        ("beam 1", {"WHISPER_BEAM_SIZE": 1}),
        ("beam 3", {"WHISPER_BEAM_SIZE": 3}),
        ("beam 5", {"WHISPER_BEAM_SIZE": 5}),
        ("no word timestamps", {"WHISPER_WORD_TIMESTAMPS": False}),
        ("no vocabulary prompt", {"WHISPER_VOCABULARY": ()}),
        ("no VAD", {"WHISPER_VAD": False}),
    ]
    for name, overrides in variants:
        cfg = config(**overrides)
        kwargs = AsrOptions.from_config(cfg, "zh").whisper_kwargs()
        if not cfg["WHISPER_VOCABULARY"]:
            kwargs["initial_prompt"] = None
        cpu = time.process_time()
        text, raw = raw_run(model, VISIT, kwargs)
        raw_cpu, cpu = time.process_time() - cpu, time.process_time()
        started = time.perf_counter()
        utterances = transcribe_path(VISIT, "zh", config=cfg, model=model)
        ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"zh {name:22s} raw CER {cer(ref, text):.3f} RTF {raw / seconds:.3f} "
            f"(CPU {raw_cpu / seconds:.3f}) | transcribe_path CER "
            f"{cer(ref, ''.join(u.text for u in utterances)):.3f} RTF {ours / seconds:.3f} "
            f"(CPU {ours_cpu / seconds:.3f})",
            flush=True,
        )
    with tempfile.TemporaryDirectory() as tmp:
        wav = english_wav(Path(tmp))
        seconds = duration(wav)
        for name, overrides in (("defaults", {}), ("beam 1", {"WHISPER_BEAM_SIZE": 1})):
            cfg = config(**overrides)
            cpu = time.process_time()
            _, raw = raw_run(model, wav, AsrOptions.from_config(cfg, "en").whisper_kwargs())
            raw_cpu, cpu = time.process_time() - cpu, time.process_time()
            started = time.perf_counter()
            transcribe_path(wav, "en", config=cfg, model=model)
            ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"en {name:10s} ({seconds:.0f} s) raw RTF {raw / seconds:.3f} "
                f"(CPU {raw_cpu / seconds:.3f}) | transcribe_path RTF {ours / seconds:.3f} "
                f"(CPU {ours_cpu / seconds:.3f})",
                flush=True,
            )
    print(f"load {os.getloadavg()}")


def cmd_diarize() -> None:
    from coachsvc.asr import transcribe_path

    ref = reference()
    for name in ("visit_mono.wav", "visit_stereo.wav"):
        utterances = transcribe_path(FIXTURES / name, "zh", config=config())
        hyp = [(u.party, u.text) for u in utterances]
        turns = [u.party for u in utterances]
        print(
            f"{name}: party accuracy {party_accuracy(ref, hyp):.3f}, {len(utterances)} utterances, "
            f"turns {turns}"
        )
    frame_accuracy()
    english_voices()


def frame_accuracy() -> None:
    """Mono diarization per 10 ms frame against the stereo file's channels (the true speaker)."""
    from faster_whisper import decode_audio

    from coachsvc.asr.diarize import Diarizer

    left, right = decode_audio(str(FIXTURES / "visit_stereo.wav"), split_stereo=True)
    hop = 160
    frames = len(left) // hop
    rms_l = np.sqrt((left[: frames * hop].reshape(frames, hop) ** 2).mean(1))
    rms_r = np.sqrt((right[: frames * hop].reshape(frames, hop) ** 2).mean(1))
    truth = np.full(frames, -1)
    truth[(rms_l > 0.01) & (rms_l >= rms_r)] = 0
    truth[(rms_r > 0.01) & (rms_r > rms_l)] = 1
    started = time.perf_counter()
    diarizer = Diarizer()
    diarizer.add(decode_audio(str(VISIT)), 0.0)
    labels = diarizer.finish().labels[:frames]
    took = time.perf_counter() - started
    speech = truth[: len(labels)] >= 0
    hyp, ref = labels[speech], truth[: len(labels)][speech]
    print(
        f"mono diarization vs stereo channels: correct {np.mean(hyp == ref):.3f}, confused "
        f"{np.mean((hyp >= 0) & (hyp != ref)):.3f}, missed {np.mean(hyp < 0):.3f} of speech frames; "
        f"{took:.2f} s"
    )


def english_voices() -> None:
    """Two espeak voices taking turns (a second, harder case: the same synthesiser), and one voice
    alone (must come out as one speaker)."""
    import re

    from faster_whisper import decode_audio

    from coachsvc.asr.diarize import Diarizer

    sentences = re.split(r"(?<=[.?!])\s+", ENGLISH_TEXT.strip())
    with tempfile.TemporaryDirectory() as tmp:
        parts, truth, t = [], [], 0.0
        for turn, i in enumerate(range(0, len(sentences), 2)):
            voice, pitch = (("en-us", "70"), ("en-us+m3", "30"))[turn % 2]
            wav = Path(tmp) / f"{turn}.wav"
            text = " ".join(sentences[i : i + 2])
            subprocess.run(
                ["espeak-ng", "-v", voice, "-p", pitch, "-s", "160", "-w", str(wav), text], check=True
            )
            samples = decode_audio(str(wav))
            parts += [samples, np.zeros(int(0.4 * 16000), dtype=np.float32)]
            truth.append((t, t + len(samples) / 16000, turn % 2))
            t += len(samples) / 16000 + 0.4
        diarizer = Diarizer()
        diarizer.add(np.concatenate(parts), 0.0)
        speakers = diarizer.finish()
        ref = np.full(len(speakers.labels), -1)
        for start, end, who in truth:
            ref[int(start * 100) : int(end * 100)] = who
        speech = ref >= 0
        hyp = speakers.labels[speech]
        print(
            f"two espeak voices, {t:.0f} s: {speakers.speakers} speakers; correct "
            f"{np.mean(hyp == ref[speech]):.3f}, confused {np.mean((hyp >= 0) & (hyp != ref[speech])):.3f}, "
            f"missed {np.mean(hyp < 0):.3f} of speech frames"
        )
        one = Diarizer()
        one.add(decode_audio(str(english_wav(Path(tmp), 1))), 0.0)
        print(f"one espeak voice: {one.finish().speakers} speaker(s) found")


# --- the whole pipeline -----------------------------------------------------------------------------


def cmd_pipeline(worker_class: str = "simple") -> None:
    """Upload visit_mono.wav through the API, a real worker process and the queue; compare with raw
    faster-whisper (same settings) run in this process before and after, on the same file."""
    from coachsvc.asr import get_model
    from coachsvc.asr.transcribe import AsrOptions

    tmp = Path(tempfile.mkdtemp(prefix="bench-asr-"))
    env = {**os.environ, "COACHSVC_INSTANCE": str(tmp), "WORKER_CLASS": worker_class, "JOB_MAX_RETRIES": "0"}
    os.environ.update(env)
    from coachsvc import create_app
    from coachsvc.db.migrate import upgrade
    from coachsvc.queue import redis_url

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        env["REDIS_URL"] = redis_url(app)
    worker = subprocess.Popen(
        [sys.executable, "-m", "worker"], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    model = get_model(app.config)
    kwargs = AsrOptions.from_config(app.config, "zh").whisper_kwargs()
    seconds = duration(VISIT)
    try:
        _wait_worker_ready(worker)
        raw_before = raw_run(model, VISIT, kwargs)[1]
        ratios = []
        for i in range(2):
            pipeline = _upload_and_wait(app, tmp, i)
            raw_after = raw_run(model, VISIT, kwargs)[1]
            raw = (raw_before + raw_after) / 2
            ratios.append(pipeline / raw)
            print(
                f"{worker_class}: raw {raw:.2f} s (RTF {raw / seconds:.3f}), "
                f"pipeline upload->done {pipeline:.2f} s "
                f"(RTF {pipeline / seconds:.3f}), ratio {pipeline / raw:.3f}",
                flush=True,
            )
            raw_before = raw_after
        print(
            f"{worker_class}: worker peak RSS {_peak_rss_mb(worker.pid):.0f} MB (VmHWM; children too: fork)"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=120)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load {os.getloadavg()}")


def _wait_worker_ready(worker: subprocess.Popen) -> None:
    for line in worker.stderr:
        if "Listening on" in line:
            return
    raise RuntimeError("worker exited")


def _upload_and_wait(app, tmp: Path, run: int) -> float:
    from coachsvc.db import session_scope
    from coachsvc.db.models import ActivityRecord, User
    from tests import factories

    with app.app_context(), session_scope() as session:
        user = session.query(User).filter_by(username="bench").one_or_none()
        if user is None:
            user = factories.make_user(session, "rep", username="bench")
        token = factories.make_token(session, user)
    data = VISIT.read_bytes() + b"\0" * (2 * run)  # a distinct file each run (no duplicate)
    client = app.test_client()
    started = time.perf_counter()
    resp = client.post(
        "/api/v1/activities",
        data={"file": (io.BytesIO(data), f"visit{run}.wav")},
        headers={"Authorization": f"Bearer {token}"},
    )
    rid = resp.json["id"]
    while True:
        with app.app_context(), session_scope() as session:
            record = session.get(ActivityRecord, rid)
            if record.status in ("done", "failed"):
                assert record.status == "done", record.failure_reason
                return time.perf_counter() - started
        time.sleep(0.05)


def _peak_rss_mb(pid: int) -> float:
    peak = 0
    for p in [pid, *_children(pid)]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                peak = max(peak, int(line.split()[1]))
    return peak / 1024


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


# --- streamed upload ----------------------------------------------------------------------------


def cmd_upload(megabytes: int = 500) -> None:
    """Serve the app in a child process, stream a large WAV to it, and compare its peak RSS."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    wav = tmp / "big.wav"
    _big_wav(wav, megabytes)
    env = {
        **os.environ,
        "COACHSVC_INSTANCE": str(tmp / "instance"),
        "MAX_UPLOAD_MB": str(megabytes + 100),
        "MAX_AUDIO_SECONDS": "100000",
    }
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__)), "serve"], env=env, stdout=subprocess.PIPE, text=True
    )
    port = int(server.stdout.readline())
    token = server.stdout.readline().strip()
    try:
        before = _rss_mb(server.pid)
        status, took = _stream_upload(port, token, wav)
        peak = _peak_rss_mb(server.pid)
        print(
            f"upload {megabytes} MB: HTTP {status} in {took:.1f} s; web process RSS {before:.0f} MB before, "
            f"peak {peak:.0f} MB (+{peak - before:.0f} MB)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def _big_wav(path: Path, megabytes: int) -> None:
    rng = np.random.default_rng(0)
    block = (rng.normal(0, 3000, 16000 * 10)).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        for _ in range(megabytes * 2**20 // len(block)):
            w.writeframes(block)


def _stream_upload(port: int, token: str, path: Path) -> tuple[int, float]:
    boundary = "benchboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.putrequest("POST", "/api/v1/activities")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    conn.endheaders()
    started = time.perf_counter()
    conn.send(head)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            conn.send(chunk)
    conn.send(tail)
    resp = conn.getresponse()
    resp.read()
    return resp.status, time.perf_counter() - started


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def cmd_serve() -> None:
    """Child of `upload`: the app on a free port (prints the port and a token), threaded werkzeug."""
    from werkzeug.serving import make_server

    from coachsvc import create_app
    from coachsvc.db import session_scope
    from coachsvc.db.migrate import upgrade
    from coachsvc.queue import redis_url
    from tests import factories

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    with app.app_context(), session_scope() as session:
        redis_url(app)
        token = factories.make_token(session, factories.make_user(session, "rep", username="uploader"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    print(token, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["accuracy"]
    {"accuracy": cmd_accuracy, "pipeline": cmd_pipeline, "upload": cmd_upload, "diarize": cmd_diarize,
     "serve": cmd_serve}[command](*rest)  # fmt: skip
