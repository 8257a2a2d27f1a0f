"""The local Neo4j of the tests: tests/neo4j_server (Neo4j 5.26 embedded, Bolt, open GDS), started once.

``start()`` runs ``tests/neo4j_server/run`` with a pipe on its stdin, waits for its readiness line and
returns the running server; ``stop()`` closes the pipe (the launcher shuts down when its stdin ends, so a
test process that dies leaves no server behind either) and waits for the process to end.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parents[1] / "neo4j_server"
READY = "NEO4J READY "
START_TIMEOUT_S = 180.0


class Neo4jStartError(RuntimeError):
    """The local Neo4j could not be built or started; the message says why."""


def built() -> bool:
    return (LAUNCHER / "target" / ".built").is_file()


@dataclass
class LocalNeo4j:
    uri: str
    home: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the server (end of stdin, then SIGTERM, then SIGKILL) and remove its data."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def start(timeout: float = START_TIMEOUT_S) -> LocalNeo4j:
    """Start the local Neo4j on a free port of 127.0.0.1 with its data in a new temporary folder."""
    if not built():
        raise Neo4jStartError("the local Neo4j is not built: run 'make neo4j-server' (Java 17 and Maven)")
    home = Path(tempfile.mkdtemp(prefix="ig-neo4j-"))
    proc = subprocess.Popen(
        [str(LAUNCHER / "run"), str(home), "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = LocalNeo4j("", home, proc)
    found = threading.Event()

    def read() -> None:  # a thread, so that a silent server cannot block past the timeout
        assert proc.stdout is not None
        for line in proc.stdout:
            server.output.append(line.rstrip("\n"))
            if line.startswith(READY) and not found.is_set():
                server.uri = line[len(READY) :].strip()
                found.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found.wait(0.2):
        if proc.poll() is not None or time.monotonic() > deadline:
            why = f"exit {proc.returncode}" if proc.poll() is not None else f"no answer in {timeout:.0f} s"
            log = home / "logs" / "debug.log"
            log_tail = log.read_text(errors="replace").splitlines()[-10:] if log.is_file() else []
            server.stop(timeout=5)
            raise Neo4jStartError(
                f"the local Neo4j did not start ({why}):\n" + "\n".join([*server.output[-20:], *log_tail])
            )
    return server
