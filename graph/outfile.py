"""Writing output files safely: to a temporary file beside the target, renamed over it when complete.

A failed export (a full disk, an error half-way) therefore never truncates or half-writes an older file,
and every ``OSError`` becomes one :class:`graph.errors.OutputError` naming the file and what to do.

>>> import tempfile
>>> target = Path(tempfile.mkdtemp()) / "graph.json"
>>> with output_file(target) as tmp:
...     _ = tmp.write_text("{}")
>>> target.read_text()
'{}'
>>> with output_file(target.parent) as tmp:
...     pass
Traceback (most recent call last):
...
graph.errors.OutputError: cannot write ...: it is a folder; give a file name
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graph.errors import OutputError

__all__ = ["output_file", "write_text"]


def _reason(exc: OSError) -> str:
    return {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.EISDIR: "it is a folder; give a file name",
        errno.ENOENT: "no such folder",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.ENAMETOOLONG: "the name is too long",
    }.get(exc.errno or 0, exc.strerror or str(exc))


def check_target(path: Path, create_parents: bool = False) -> None:
    """Refuse, before any work is done, a target that cannot be a file: empty, a folder, no parent folder
    (``create_parents``: a missing parent will be created, but a file on the way is refused)."""
    if str(path) in ("", "."):
        raise OutputError("no output file given (an empty name)")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder; give a file name")
    parent = path.parent
    while create_parents and not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        what = f"{parent} is not a folder" if parent.exists() else f"the folder {parent} does not exist"
        raise OutputError(f"cannot write {path}: {what}")


@contextmanager
def output_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on failure it is removed.

    A target that exists and is not a regular file (``/dev/stdout``, a FIFO, ``/dev/full``) is written
    directly: renaming over a device would replace it.

    Raises
    ------
    OutputError
        The file cannot be written; ``path`` is unchanged.
    """
    path = Path(path)
    check_target(path)
    try:
        special = path.exists() and not stat.S_ISREG(path.stat().st_mode)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    if special:
        try:
            yield path
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
        return
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=f".tmp{path.suffix}", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    tmp = Path(name)
    try:
        yield tmp
        if path.exists():  # keep the older file's permissions; mkstemp makes 0600
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}; nothing was changed") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`output_file`."""
    with output_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
