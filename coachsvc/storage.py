"""Upload storage: stream a request body to disk while hashing it, then keep it content-addressed."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


@dataclass
class StagedFile:
    path: Path
    sha256: str
    size: int
    head: bytes  # the first bytes, for sniffing the type


class TooLarge(Exception):
    pass


def stage_stream(stream: BinaryIO, upload_dir: str, max_bytes: int) -> StagedFile:
    """Copy `stream` to a temporary file chunk by chunk; never holds the whole file in memory."""
    tmp_dir = Path(upload_dir) / ".tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / uuid.uuid4().hex
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with open(path, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge()
                if len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StagedFile(path, digest.hexdigest(), size, head)


def keep(staged: StagedFile, upload_dir: str, suffix: str) -> Path:
    """Move a staged file to its content-addressed place; the same bytes are stored once."""
    final = Path(upload_dir) / staged.sha256[:2] / f"{staged.sha256}{suffix}"
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        staged.path.unlink(missing_ok=True)
    else:
        os.replace(staged.path, final)
    return final


def discard(path: Path | str | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)
