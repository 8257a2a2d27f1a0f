"""The wheel works on its own: built from the checkout, installed into a new virtual environment in an
empty folder outside the checkout, it loads the seed graph and answers the main commands.

This catches whatever the package reads from the source tree instead of from its own files (the Cypher
library, the seed data, the viz assets).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, short_tmpdir

pytestmark = [pytest.mark.slow, pytest.mark.store]


@pytest.fixture(scope="module")
def installed() -> Iterator[tuple[Path, Path, dict[str, str]]]:
    """(the wheel, an empty working folder, the environment to run the installed ``indgraph`` in)."""
    tmp = short_tmpdir("ig-wheel-")
    dist, env_dir, work, home = tmp / "dist", tmp / "venv", tmp / "work", tmp / "home"
    work.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, ROOT],
        check=True,
        cwd=tmp,
    )
    (wheel,) = dist.glob("industry_graph-*.whl")
    venv.create(env_dir, with_pip=True)
    pip = [env_dir / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, wheel], check=True, cwd=work)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INDGRAPH_", "NEO4J_", "PYTHON"))}
    env.update(PATH=f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}", INDGRAPH_HOME=str(home), COLUMNS="200")
    try:
        yield wheel, work, env
    finally:
        subprocess.run(["indgraph", "db", "stop"], cwd=work, env=env, capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


def indgraph(installed: tuple[Path, Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess[str]:
    _, work, env = installed
    done = subprocess.run(["indgraph", *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"indgraph {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_wheel_carries_cypher_seed_data_and_viz_assets(installed: tuple[Path, Path, dict[str, str]]) -> None:
    names = set(zipfile.ZipFile(installed[0]).namelist())
    expected = {
        "graph/cypher/queries/chain_around.cypher",
        "graph/cypher/schema/falkordb.cypher",
        "graph/cypher/write/upsert_entities.cypher",
        "graph/data/seed/chains.yaml",
        "graph/data/admin_english_overrides.yaml",
        "graph/data/company_places.csv",
        "graph/data/sector_vocabulary.yaml",
        "graph/data/chains/lithium-battery.yaml",
        "graph/viz/assets/page.js",
        "graph/viz/vendor/cytoscape.min.js",
    }
    assert expected <= names
    assert not any(n.startswith(("tests/", "cypher/", "data/")) for n in names)


def test_installed_from_the_wheel_outside_the_checkout(installed: tuple[Path, Path, dict[str, str]]) -> None:
    _, work, env = installed
    where = subprocess.run(
        ["python", "-c", "import graph; print(graph.__file__)"], cwd=work, env=env, capture_output=True, text=True
    )
    assert not where.stdout.startswith(str(ROOT)), "the test must run the installed package, not the checkout"

    loaded = indgraph(installed, "load")
    stats = json.loads(indgraph(installed, "stats", "-f", "json").stdout)
    totals = {(r["kind"], r["type"]): r["count"] for r in stats}
    assert totals[("total", "entities")] == 194 and totals[("total", "relations")] == 300, loaded.stdout

    queries = indgraph(installed, "queries").stdout
    assert "chain_around" in queries and "base_profile" in queries

    around = json.loads(indgraph(installed, "run", "chain_around", "-p", "sector=battery cells", "-f", "json").stdout)
    assert {"Cathode Materials", "Energy Storage"} <= {r["name"] for r in around}

    up = json.loads(indgraph(installed, "neighbours", "battery cells", "-d", "up", "-f", "json").stdout)
    assert "sector:cathode-materials" in {r["id"] for r in up}

    indgraph(installed, "viz", "partnerships", "-o", "x.html")
    page = (work / "x.html").read_text(encoding="utf-8")
    assert "cytoscape" in page and "Sino-Japanese" in page
