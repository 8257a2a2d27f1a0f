"""Attacks on the embedded store and the write paths (issue 16 items 1-6, 10, 12; issue 15 item 4).

Hostile or broken PID files, another user's files in the way, two create-mode loads at once, a full disk,
a crash part way through a multi-call bulk load, queries that would take the server down, and Ctrl-C or
SIGTERM in the middle of a load. Each test runs its own real server in a short temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from falkordb import FalkorDB

from graph.errors import ArgumentError, ServerError, StoreError
from graph.model import Entity, GraphData, Relation
from graph.stores import falkordb_bulk
from graph.stores.base import MAX_TIMEOUT_MS
from graph.stores.embedded import EmbeddedServer
from graph.stores.falkordb import LOADING_SUFFIX, FalkorStore
from tests.conftest import short_tmpdir
from tests.support.figures import count, record_figures  # noqa: F401 - the module fixture writes the figures
from tests.test_crash import GRAPH, cli, entity_count, server_pids, write_entities_csv

pytestmark = pytest.mark.store

NOBODY = 65534


@pytest.fixture
def home() -> Iterator[Path]:
    path = short_tmpdir("igh-")
    yield path
    srv = EmbeddedServer(path)
    pids = server_pids(srv)
    for pid in pids:  # stop whatever server a test left (a test may leave the folder unusable first)
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(path, ignore_errors=True)


def clean_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The one ``error:`` line of a failed command (no traceback)."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


# -- 1. PID files ---------------------------------------------------------------------------------------
@pytest.fixture
def signals(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every real signal the server code sends (signal 0 only asks whether a pid exists).

    A signal to a pid <= 1 is refused here rather than sent: sent by root, -1 reaches every process.
    """
    sent: list[tuple[int, int]] = []
    real_kill = os.kill

    def kill(pid: int, sig: int) -> None:
        if sig != 0:
            sent.append((pid, sig))
            if pid <= 1:
                raise AssertionError(f"signal {sig} to pid {pid}")
        real_kill(pid, sig)

    monkeypatch.setattr(os, "kill", kill)
    return sent


@pytest.mark.parametrize("text", ["-1", "0", "1", "99999999999999999999999999", "4194305", "12abc", ""])
def test_a_pid_file_that_is_no_process_id_is_stale_and_never_signalled(
    home: Path, signals: list[tuple[int, int]], text: str
) -> None:
    srv = EmbeddedServer(home)
    srv.pidfile.write_text(text + "\n")
    stopped = srv.stop()
    assert stopped.startswith("FalkorDB was not running (the PID file is stale ("), stopped
    assert "nothing was signalled" in stopped and signals == []
    assert srv.pidfile.read_text() == text + "\n"  # left as it was
    started = srv.start()
    assert "removed stale PID file" in started and "started FalkorDB" in started, started
    assert "kill" not in started
    assert srv.stop().startswith("stopped FalkorDB (pid ")
    assert [sig for _, sig in signals] == []  # SHUTDOWN over the socket, no signal
    count("store_hardening", "attacks_held")


def test_a_reused_pid_of_another_program_is_never_signalled(home: Path, signals: list[tuple[int, int]]) -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        srv = EmbeddedServer(home)
        srv.pidfile.write_text(f"{sleeper.pid}\n")
        assert srv.status().running is False
        stopped = srv.stop()
        assert f"pid {sleeper.pid} is another program now" in stopped and "nothing was signalled" in stopped
        assert signals == [] and sleeper.poll() is None  # still alive
        started = srv.start()
        assert f"removed stale PID file (pid {sleeper.pid} is another program now)" in started
        srv.stop()
        assert (sleeper.pid, signal.SIGTERM) not in signals and sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()
    count("store_hardening", "attacks_held")


def test_a_huge_pid_through_the_cli_is_one_clean_line_and_not_stuck(home: Path) -> None:
    srv = EmbeddedServer(home)
    srv.pidfile.write_text("9" * 40)
    stopped = cli(home, "db", "stop")
    assert stopped.returncode == 0 and "not a process id" in stopped.stdout, stopped
    assert "Traceback" not in stopped.stderr
    started = cli(home, "db", "start")
    assert started.returncode == 0 and "started FalkorDB" in started.stdout, started
    assert cli(home, "db", "status").returncode == 0
    assert cli(home, "db", "stop").returncode == 0
    count("store_hardening", "attacks_held")


# -- 5. ownership, links and what is in the way ------------------------------------------------------------
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_home_or_socket_of_another_user_is_refused(home: Path) -> None:
    os.chown(home, NOBODY, NOBODY)
    err = clean_error(cli(home, "db", "start"))
    assert f"the data folder {home} belongs to another user (uid {NOBODY}); refusing to use it" in err
    os.chown(home, os.getuid(), os.getgid())

    srv = EmbeddedServer(home)
    planted = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    planted.bind(str(srv.socket))  # another user's server listening where ours would
    planted.listen()
    try:
        os.chown(srv.socket, NOBODY, NOBODY)
        err = clean_error(cli(home, "stats"))
        assert f"the socket {srv.socket} belongs to another user (uid {NOBODY})" in err
    finally:
        planted.close()
    count("store_hardening", "attacks_held")


def test_a_home_writable_by_others_is_refused_until_fixed(home: Path) -> None:
    home.chmod(0o777)
    err = clean_error(cli(home, "db", "start"))
    assert f"the data folder {home} is writable by other users (mode 777)" in err
    assert server_pids(EmbeddedServer(home)) == []
    home.chmod(0o700)
    assert cli(home, "db", "start").returncode == 0
    assert cli(home, "db", "stop").returncode == 0
    count("store_hardening", "attacks_held")


def test_a_relocated_socket_lives_in_a_private_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    tmp = short_tmpdir("igt-")
    monkeypatch.setattr("tempfile.tempdir", str(tmp))
    deep = tmp / ("d" * 60) / ("e" * 60)
    srv = EmbeddedServer(deep)
    try:
        assert srv.socket.parent == tmp / f"indgraph-{os.getuid()}"
        srv.start()
        assert (srv.socket.parent.stat().st_mode & 0o777) == 0o700
        assert srv.socket.parent.stat().st_uid == os.getuid()
        srv.stop()
        srv.socket.parent.chmod(0o777)  # as another user could have made it before us
        with pytest.raises(ServerError, match=r"socket folder .* is writable by other users"):
            srv.start()
    finally:
        for pid in server_pids(srv):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)
    count("store_hardening", "attacks_held")


@pytest.mark.parametrize("name", ["falkordb.pid", "falkordb.log"])
def test_a_link_in_place_of_the_pid_or_log_file_is_not_followed(home: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / "victim"
    target.write_text("precious\n")
    (home / name).symlink_to(target)
    err = clean_error(cli(home, "db", "start"))
    assert f"{home / name} is a symbolic link; refusing to follow it" in err
    assert target.read_text() == "precious\n"
    count("store_hardening", "attacks_held")


def test_a_folder_at_the_socket_path_is_one_clean_line(home: Path) -> None:
    (home / "falkordb.sock").mkdir()
    err = clean_error(cli(home, "db", "start"))
    assert f"{home / 'falkordb.sock'} is in the way of the server's socket: it is a folder; remove it" in err
    count("store_hardening", "attacks_held")


def test_an_unusable_home_is_one_clean_line(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("")
    err = clean_error(cli(afile / "home", "db", "start"))
    assert f"cannot use the data folder {afile / 'home'}: Not a directory" in err
    count("store_hardening", "attacks_held")


@pytest.fixture
def tmpfs() -> Iterator[Path]:
    """A small tmpfs (root only): a disk that can be filled or made read-only."""
    mnt = short_tmpdir("igm-")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m,mode=0700", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        mnt.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        for pid in server_pids(EmbeddedServer(mnt / "home")):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        subprocess.run(["umount", "-l", str(mnt)], check=False)
        mnt.rmdir()


def test_a_read_only_home_is_one_clean_line(tmpfs: Path) -> None:
    (tmpfs / "home").mkdir(mode=0o700)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    err = clean_error(cli(tmpfs / "home", "db", "start"))
    assert f"cannot write to the data folder {tmpfs / 'home'} (read-only, or no permission)" in err
    count("store_hardening", "attacks_held")


# -- 3. a full disk ------------------------------------------------------------------------------------
def test_a_full_disk_is_named_writes_are_refused_and_nothing_unsaved_is_reported_loaded(
    tmpfs: Path, tmp_path: Path
) -> None:
    home = tmpfs / "home"
    srv = EmbeddedServer(home)
    assert srv.start().startswith("started")
    n = 30_000
    data = write_entities_csv(tmp_path / "entities.csv", n)
    filler = tmpfs / "filler"
    free = shutil.disk_usage(tmpfs).free
    filler.write_bytes(b"\0" * (free - 1_500_000))  # leaves room for part of the load's log only

    full = cli(home, "load", str(data), "--batch-size", "1000")
    err = clean_error(full)
    assert f"disk full in {home}: FalkorDB refuses writes until it can save them" in err, err
    assert "No space left on device" in err
    assert "loaded into" not in full.stdout  # nothing reported as loaded

    # The server gets its pending log out if a failed rewrite frees its temporary file: keep the disk full.
    rest = tmpfs / "rest"
    fd = os.open(rest, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    errors = []
    for i in range(20):
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
        # a write is accepted into memory, then cannot be saved: from then on writes are refused
        # (big enough to need a new page of the log: a small write fits in the last page's slack)
        attempt = cli(
            home, "query", "--write", f"CREATE (:Entity {{id: 'x{i}', pad: $pad}})", "-p", "pad=" + "p" * 9000
        )
        if attempt.returncode != 0:
            errors.append(clean_error(attempt))
            break
        time.sleep(0.5)
    os.close(fd)
    assert errors and f"disk full in {home}" in errors[0], errors
    status = cli(home, "db", "status")
    assert f"running, but disk full in {home}" in status.stdout, status
    assert cli(home, "stats").returncode == 0  # reads still work

    filler.unlink()  # the server retries its log by itself once there is space
    rest.unlink()
    deadline = time.monotonic() + 10
    while srv.persistence_error() and time.monotonic() < deadline:
        time.sleep(0.2)
    rerun = cli(home, "load", str(data), "--batch-size", "1000")
    assert rerun.returncode == 0, rerun.stderr
    assert srv.stop().startswith("stopped")
    assert srv.start().startswith("started")
    assert entity_count(srv) == n  # all of it survived a restart: it was on disk when reported
    srv.stop()
    count("store_hardening", "attacks_held")


def test_a_damaged_log_is_named_and_repaired_on_request(home: Path) -> None:
    """A full disk can leave the append-only log damaged; the server then will not start."""
    srv = EmbeddedServer(home)
    srv.start()
    with FalkorStore(home, graph=GRAPH) as store:
        store.write(bulk_data(10), mode="merge")
    srv.stop()  # compacts: the data is in the base file, the incr file starts empty
    incr = sorted((home / "appendonlydir").glob("*.incr.aof"))[-1]
    with incr.open("ab") as fh:
        fh.write(b"*3\r\n$3\r\nSET\r\nnot a length\r\n")
    err = clean_error(cli(home, "db", "start"))
    assert f"the append-only log in {home} is damaged" in err and "'indgraph db start --repair'" in err, err
    repaired = cli(home, "db", "start", "--repair")
    assert repaired.returncode == 0, repaired
    assert "repaired the append-only log" in repaired.stdout and "started FalkorDB" in repaired.stdout
    with FalkorStore(home, graph=GRAPH, start=False) as store:
        assert store.stats()["entities"] == {"City": 1, "Company": 10}
    srv.stop()
    count("store_hardening", "attacks_held")


# -- 2. two create-mode loads at once -----------------------------------------------------------------------
def test_two_concurrent_create_loads_never_duplicate(home: Path, tmp_path: Path) -> None:
    n = 20_000
    data = write_entities_csv(tmp_path / "entities.csv", n)
    assert EmbeddedServer(home).start().startswith("started")
    procs = [cli(home, "load", str(data), "--mode", "create", wait=False) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs if isinstance(p, subprocess.Popen)]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2], results
    refused = next(err for p, (_, err) in zip(procs, results, strict=True) if p.returncode == 2)
    assert "--mode create needs an empty store" in refused and "Traceback" not in refused, refused
    with FalkorStore(home, graph=GRAPH, start=False) as store:
        assert store.query("MATCH (n:Entity) RETURN count(n), count(DISTINCT n.id)").rows == [[n, n]]
    EmbeddedServer(home).stop()
    count("store_hardening", "attacks_held")


# -- 4. a crash part way through a multi-call bulk load; indexes before lookups -------------------------------
def bulk_data(n: int) -> GraphData:
    city = Entity(id="cn-420100", type="City", name="Wuhan")
    return GraphData(
        entities=[city, *(Entity(id=f"company:b{i:05d}", type="Company", name=f"B{i}") for i in range(n))],
        relations=[Relation(source=f"company:b{i:05d}", type="LOCATED_IN", target=city.id) for i in range(n)],
    )


def index_states(srv: EmbeddedServer, graph: str) -> list[str]:
    db = FalkorDB(unix_socket_path=str(srv.socket))
    try:
        return sorted(r[0] for r in db.select_graph(graph).ro_query("CALL db.indexes() YIELD status").result_set)
    finally:
        db.connection.close()


def test_a_crash_during_a_multi_call_bulk_load_keeps_nothing_and_a_rerun_completes(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(falkordb_bulk, "MAX_CALL_BYTES", 20_000)  # many calls
    data = bulk_data(5000)
    srv = EmbeddedServer(home)
    srv.start()
    pid = srv.status().pid
    assert pid is not None
    calls = 0

    def crash_after_some_calls(_: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:
            os.kill(pid, signal.SIGKILL)  # the server dies between two bulk calls

    with FalkorStore(home, graph=GRAPH) as store, pytest.raises(StoreError) as info:
        store.write(data, mode="auto", progress=crash_after_some_calls)
    assert f"the graph '{GRAPH}' was not created" in str(info.value), info.value
    while server_pids(srv):
        time.sleep(0.05)
    srv.start()
    # the message is true: the graph is not there (part of the side graph may be)
    assert entity_count(srv) == 0
    with FalkorStore(home, graph=GRAPH) as store:
        summary = store.write(data, mode="auto")
        assert summary.method == "bulk"
        assert store.query("MATCH (n:Entity) RETURN count(n), count(DISTINCT n.id)").rows == [[5001, 5001]]
        assert store.db.connection.exists(GRAPH + LOADING_SUFFIX) == 0  # the leftover was dropped
    assert index_states(srv, GRAPH) and set(index_states(srv, GRAPH)) == {"OPERATIONAL"}
    srv.stop()
    count("store_hardening", "attacks_held")


def test_a_graph_left_without_indexes_gets_them_before_any_lookup(home: Path) -> None:
    """What an older bulk load left after a crash: the data, no indexes. A lookup must not scan it."""
    srv = EmbeddedServer(home)
    srv.start()
    data = bulk_data(200)
    with FalkorStore(home, graph=GRAPH) as store:
        plan = falkordb_bulk.plan(data, *_props())
        assert plan is not None
        falkordb_bulk.send(store.db.connection, GRAPH, plan)
        assert index_states(srv, GRAPH) == []
        assert store.known_types(["company:b00001", "nope"]) == {"company:b00001": "Company"}
        assert index_states(srv, GRAPH) and set(index_states(srv, GRAPH)) == {"OPERATIONAL"}
    srv.stop()
    count("store_hardening", "attacks_held")


def _props() -> tuple:
    from graph.codec import entity_props, relation_props

    return entity_props, relation_props


def test_a_server_killed_before_index_creation_is_one_clean_line(home: Path) -> None:
    srv = EmbeddedServer(home)
    srv.start()
    with FalkorStore(home, graph=GRAPH) as store:
        store.query("CREATE (:Entity {id: 'x'})", write=True)
        pid = srv.status().pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        while server_pids(srv):
            time.sleep(0.05)
        with pytest.raises(StoreError, match="lost the connection to FalkorDB"):
            store.ensure_schema()
    count("store_hardening", "attacks_held")


# -- 6. queries that would take the server down --------------------------------------------------------------
def test_a_query_over_the_memory_cap_is_stopped_and_the_server_lives(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDGRAPH_QUERY_MEM_CAPACITY", str(32 << 20))
    srv = EmbeddedServer(home)
    srv.start()
    with FalkorStore(home, graph=GRAPH) as store:
        store.query("CREATE (:Entity {id: 'x'})", write=True)
        with pytest.raises(StoreError, match=r"more memory than one query may use \(32 MiB\)"):
            store.query("UNWIND range(1, 5000000) AS x RETURN size(collect(x))", timeout_ms=0)
        assert store.query("RETURN 1").rows == [[1]]
        config = store.db.connection.execute_command("GRAPH.CONFIG", "GET", "TIMEOUT_MAX")
        assert config[1] == MAX_TIMEOUT_MS  # the server stops any query after the maximum
    srv.stop()
    count("store_hardening", "attacks_held")


def test_timeout_zero_is_the_maximum_and_beyond_it_is_refused(falkor_store: FalkorStore) -> None:
    falkor_store.query("CREATE (:Entity {id: 'x'})", write=True)
    assert falkor_store.query("MATCH (n) RETURN count(n)", timeout_ms=0).rows == [[1]]
    with pytest.raises(ArgumentError, match=f"give 1 to {MAX_TIMEOUT_MS} ms, or 0 for that maximum"):
        falkor_store.query("RETURN 1", timeout_ms=MAX_TIMEOUT_MS + 1)
    with pytest.raises(ArgumentError):
        falkor_store.query("RETURN 1", timeout_ms=-5)
    count("store_hardening", "attacks_held")


# -- 12. Ctrl-C and SIGTERM during a load -------------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_a_load_at_a_batch_boundary_and_says_what_was_written(
    home: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    n, batch = 30_000, 500
    data = write_entities_csv(tmp_path / "entities.csv", n)
    srv = EmbeddedServer(home)
    srv.start()
    writer = cli(home, "load", str(data), "--batch-size", str(batch), wait=False)
    assert isinstance(writer, subprocess.Popen)
    while entity_count(srv) < 3 * batch:
        assert writer.poll() is None, writer.communicate()
        time.sleep(0.02)
    writer.send_signal(sig)
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 130, (out, err)
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: interrupted: "), err
    written = int(lines[0].split("interrupted: ")[1].split(" of ")[0].replace(",", ""))
    assert f" of {n:,} records written, in whole batches; run the same command again to finish it" in lines[0]
    assert "nothing is duplicated" in lines[0]
    assert 0 < written < n and written % batch == 0
    assert entity_count(srv) == written  # the message says what the store holds
    rerun = cli(home, "load", str(data), "--batch-size", str(batch))
    assert rerun.returncode == 0, rerun.stderr
    with FalkorStore(home, graph=GRAPH, start=False) as store:
        assert store.query("MATCH (n:Entity) RETURN count(n), count(DISTINCT n.id)").rows == [[n, n]]
    srv.stop()
    count("store_hardening", "attacks_held")


def test_a_signal_during_a_bulk_load_keeps_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process: the bulk path checks between its calls; the interrupt arrives as the CLI's handler sets it."""
    from graph import interrupt
    from graph.errors import Interrupted

    monkeypatch.setattr(falkordb_bulk, "MAX_CALL_BYTES", 20_000)
    srv = EmbeddedServer(home)
    srv.start()
    calls = 0

    def signal_after_some_calls(_: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            os.kill(os.getpid(), signal.SIGINT)

    with interrupt.handle_signals(), FalkorStore(home, graph=GRAPH) as store:
        with pytest.raises(Interrupted, match="interrupted: nothing was written: the graph 'crash' was not created"):
            store.write(bulk_data(3000), mode="auto", progress=signal_after_some_calls)
        assert store.db.connection.exists(GRAPH) == 0
        assert store.db.connection.exists(GRAPH + LOADING_SUFFIX) == 0
    srv.stop()
    count("store_hardening", "attacks_held")
