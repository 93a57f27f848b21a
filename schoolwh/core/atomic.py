"""Replace a file or a folder in one step: a reader finds the old one or the new one, never
half of either. The one home for it: the published warehouse, the archive, extracts,
briefings, Data Docs, Parquet exports and caches all go through here.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(finished: Path, target: Path, *, durable: bool = False) -> None:
    """Move the finished file `finished` over `target` (same folder, or at least the same
    file system). `durable`: the file is flushed to disk before and the folder entry after,
    so that a power cut leaves the old file or the whole new one."""
    if durable:
        _sync(finished)
    os.replace(finished, target)
    if durable:
        _sync(target.parent)


def write_bytes(target: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write `data` to a new file beside `target`, then replace `target` with it. `mode`
    is set before any byte is written (for secrets); otherwise the umask decides, as for
    any new file. The half-written file is removed if writing fails."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def replace_folder(finished: Path, target: Path) -> None:
    """Put the finished folder `finished` at `target`: the old folder is moved aside, the
    new one moved in, then the old one deleted. A reader may for an instant find no folder,
    never a half-written one."""
    old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
    if target.exists():
        target.rename(old)
    finished.rename(target)
    shutil.rmtree(old, ignore_errors=True)
