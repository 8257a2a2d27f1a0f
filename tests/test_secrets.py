"""Secrets and exposure: no credentials in the repository's files, ``.env`` is git-ignored, and the
embedded server is reachable only by its owner, on a unix socket, with no TCP port."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import redis

from graph.stores.embedded import EmbeddedServer
from tests.conftest import short_tmpdir
from tests.support.figures import count, record_figures  # noqa: F401 - the module fixture writes the figures

ROOT = Path(__file__).resolve().parent.parent

# High-confidence secrets, flagged in every file.
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
TOKEN = re.compile(
    r"\b(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}|AKIA[0-9A-Z]{16}|sk-[A-Za-z0-9]{32,}|xox[abp]-[A-Za-z0-9-]{10,})"
)
URI_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?P<value>[^@\s/'\"]+)@")
# Password-like settings, flagged outside tests/ (tests hold made-up values for the credential code).
SETTING = re.compile(
    r"""(?ix)(?<![\w${.-])[\w.-]*(?:password|passwd|secret|token|api[_-]?key)[\w.-]*["']?\s*[:=]\s*
    (?P<value>"[^"\n]*"|'[^'\n]*'|[^\s,;)\]}#]+)"""
)
NEO4J_AUTH = re.compile(r"NEO4J_AUTH\s*[:=]\s*[\"']?[^/\s\"']+/(?P<value>[^\s\"']+)")
CONFIG_SUFFIXES = {".env", ".example", ".yml", ".yaml", ".toml", ".ini", ".cfg", ".conf", ".sh", ".md", ".txt", ""}
PLACEHOLDER = re.compile(r"(?i)change.?me|example|placeholder|your[-_ ]|xxx|dummy|redacted|\.\.\.|…|^\*+$")


def is_placeholder(value: str) -> bool:
    v = value.strip().strip("'\"")
    return not v or v.startswith(("$", "<", "{", "%")) or v in {"None", "null", "none"} or bool(PLACEHOLDER.search(v))


def secrets_in(rel: str, text: str) -> list[str]:
    """The lines of a file (path ``rel`` in the repository) that look like they hold a credential."""
    found = []
    in_tests = rel.startswith("tests/")
    literal_only = Path(rel).suffix not in CONFIG_SUFFIXES and not Path(rel).name.startswith((".env", "Makefile"))
    for n, line in enumerate(text.splitlines(), 1):
        hits = [m.group(0) for m in (PRIVATE_KEY.search(line), TOKEN.search(line)) if m]
        hits += [m.group(0) for m in URI_CREDENTIALS.finditer(line) if not is_placeholder(m["value"])]
        if not in_tests and not line.lstrip().startswith(("#", "//")):  # prose in comments is not a setting
            for m in (*SETTING.finditer(line), *NEO4J_AUTH.finditer(line)):
                value = m["value"]
                # in code, only a quoted literal is a value (password=password is a variable)
                if literal_only and not value.startswith(("'", '"')):
                    continue
                if not is_placeholder(value):
                    hits.append(m.group(0))
        found += [f"{rel}:{n}: {h[:60]}" for h in hits]
    return found


def repository_files() -> list[str]:
    """Files git tracks, plus new files not ignored (about to be committed)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (or no git): nothing to scan")
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return sorted({f for f in out.decode().split("\0") if f and (ROOT / f).is_file()})


def test_no_credentials_in_the_repository() -> None:
    files = repository_files()
    found = []
    for rel in files:
        if rel == "tests/test_secrets.py":
            continue  # this file: its patterns and made-up samples
        data = (ROOT / rel).read_bytes()[:2_000_000]
        if b"\0" in data[:8192]:
            continue  # binary
        found += secrets_in(rel, data.decode("utf-8", errors="replace"))
    assert not found, "credentials in repository files (use the environment or the git-ignored .env):\n" + "\n".join(
        found
    )
    count("secrets_scan", "files_scanned", len(files))


@pytest.mark.parametrize(
    ("rel", "text", "flagged"),
    [
        (".env", "NEO4J_PASSWORD=" + "hunter22", True),
        (".env.example", "NEO4J_PASSWORD=change-me-please", False),
        ("conf.yaml", "password: " + "hunter22", True),
        ("conf.yaml", "password: ${NEO4J_PASSWORD}", False),
        ("docker-compose.yml", 'NEO4J_AUTH: "neo4j/' + 'hunter22"', True),
        ("docker-compose.yml", 'NEO4J_AUTH: "neo4j/${NEO4J_PASSWORD:?set it}"', False),
        ("graph/x.py", 'password = "' + 'hunter22"', True),
        ("graph/x.py", "password = settings.password", False),
        ("graph/x.py", 'Neo4jStore(uri, password="…")', False),
        ("graph/x.py", 'URI = "bolt://neo4j:' + 'hunter22@db:7687"', True),
        ("README.md", "NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=… make test", False),
        ("tests/test_x.py", 'settings(password="' + 's3cret-value")', False),
        ("tests/test_x.py", "-----BEGIN " + "OPENSSH PRIVATE KEY-----", True),
        ("notes.txt", "token ghp_" + "a" * 36, True),
    ],
)
def test_the_scan_finds_what_it_looks_for(rel: str, text: str, flagged: bool) -> None:
    assert bool(secrets_in(rel, text)) is flagged


def test_dotenv_is_git_ignored_and_the_example_holds_a_placeholder() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (or no git)")
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env is not git-ignored"
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", ".env"], cwd=ROOT, capture_output=True, check=False)
    assert tracked.returncode != 0, ".env is tracked by git"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    password = re.search(r"^NEO4J_PASSWORD=(.*)$", example, re.M)
    assert password and is_placeholder(password.group(1))


def test_the_cli_takes_the_password_from_the_environment_only() -> None:
    from graph.cli.data import global_options

    option = inspect.signature(global_options).parameters["password"]
    assert option.default is None  # no built-in password
    meta = option.annotation.__metadata__[0] if hasattr(option.annotation, "__metadata__") else None
    text = repr(meta) + str(option.annotation)
    assert "NEO4J_PASSWORD" in text


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _listening(table: str) -> set[str]:
    """Inodes of listening sockets in /proc/net/tcp or tcp6 (state 0A)."""
    path = Path("/proc/net") / table
    if not path.exists():
        return set()
    rows = [line.split() for line in path.read_text().splitlines()[1:]]
    return {r[9] for r in rows if len(r) > 9 and r[3] == "0A"}


@pytest.mark.store
def test_embedded_server_is_owner_only_and_has_no_tcp_port() -> None:
    if not Path("/proc/net/unix").exists():
        pytest.skip("needs Linux /proc to see the server's sockets")
    home = short_tmpdir("igs-") / "data"  # a folder the server creates itself
    srv = EmbeddedServer(home)
    try:
        srv.start()
        pid = srv.status().pid
        assert pid is not None
        # the data folder and the socket: no permission for group or others
        assert stat.S_IMODE(home.stat().st_mode) & 0o077 == 0, oct(home.stat().st_mode)
        mode = srv.socket.stat().st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) & 0o077 == 0, oct(mode)
        # no TCP port: redis says so, and the kernel shows no listening TCP socket of the process
        r = redis.Redis(unix_socket_path=str(srv.socket))
        try:
            assert r.config_get("port") == {"port": "0"}
            assert r.config_get("unixsocketperm") == {"unixsocketperm": "700"}
        finally:
            r.close()
        mine = _socket_inodes(pid)
        unix = {
            line.split()[6] for line in Path("/proc/net/unix").read_text().splitlines()[1:] if str(srv.socket) in line
        }
        assert unix & mine, "the check cannot see the server's sockets"
        assert not (mine & (_listening("tcp") | _listening("tcp6"))), "the server listens on TCP"
        if shutil.which("ss"):
            ss = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=False).stdout
            assert f"pid={pid}," not in ss, ss
        count("secrets_server_exposure", "servers_checked")
    finally:
        srv.stop()
        shutil.rmtree(home.parent, ignore_errors=True)
