"""Stopping a long write cleanly on Ctrl-C (SIGINT) or SIGTERM: at the next batch boundary, never inside one.

The CLI installs :func:`handle_signals` around a command. While a store writes (:func:`writing`), a
signal only sets a flag; the write loop calls :func:`check` between batches, which raises
:class:`~graph.errors.Interrupted` there, and the store says how much was written. Outside a write, or
on a second signal, the command stops at once (:class:`KeyboardInterrupt`): nothing half-written can
result, since each batch is one transaction on the server.

>>> with writing():
...     check()            # no signal: carries on
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from graph.errors import Interrupted

__all__ = ["check", "handle_signals", "interrupted_write", "requested", "writing"]

_stop = threading.Event()
_writes = 0  # nesting depth of writing()
_second = threading.Event()  # a signal came while a stop was already asked for


def requested() -> bool:
    """A signal asked to stop at the next batch boundary."""
    return _stop.is_set()


def check() -> None:
    """Raise :class:`Interrupted` at a batch boundary when a signal asked to stop."""
    if _stop.is_set():
        raise Interrupted("interrupted")


@contextmanager
def writing() -> Iterator[None]:
    """Mark a write in progress: a signal now stops it at the next batch boundary."""
    global _writes
    _writes += 1
    try:
        yield
    finally:
        _writes -= 1


def interrupted_write() -> bool:
    """The last :class:`KeyboardInterrupt` came from a second signal during a write."""
    return _second.is_set()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _writes and not _stop.is_set():
        _stop.set()  # the write loop stops at its next batch boundary
        return
    if _stop.is_set():
        _second.set()
    raise KeyboardInterrupt


@contextmanager
def handle_signals() -> Iterator[None]:
    """Route SIGINT and SIGTERM through :func:`_handler` (main thread only); restore them after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    _stop.clear()
    _second.clear()
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        _stop.clear()
