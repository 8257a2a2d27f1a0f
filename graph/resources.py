"""Files shipped inside the package, read with :mod:`importlib.resources`.

The top-level folders ``cypher/`` and ``data/`` are mapped into the distribution as the packages
``graph.cypher`` and ``graph.data`` (see ``pyproject.toml``), so a wheel carries them; in a checkout
installed with ``pip install -e`` the same names point at the folders themselves.

>>> (cypher_dir() / "queries" / "partners.cypher").is_file()
True
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["cypher_dir", "data_dir", "seed_dir", "viz_asset"]


def _folder(package: str, *parts: str) -> Path:
    found = files(package).joinpath(*parts)
    # Installed unpacked (pip's only way) a resource is a real path; the loaders need one to report
    # file names and line numbers.
    if not isinstance(found, Path):  # pragma: no cover - zip imports only
        raise RuntimeError(f"{package} is not installed as files on disk; install industry-graph with pip")
    return found


def cypher_dir() -> Path:
    """The folder of all Cypher the project sends (``cypher/`` in the source tree)."""
    return _folder("graph.cypher")


def data_dir() -> Path:
    """The folder of curated data and name overrides (``data/`` in the source tree)."""
    return _folder("graph.data")


def seed_dir() -> Path:
    """The curated seed data: what ``indgraph load`` loads by default."""
    return data_dir() / "seed"


def viz_asset(*parts: str) -> Path:
    """A file of the HTML view: ``assets/page.js``, ``vendor/cytoscape.min.js``, …"""
    return _folder("graph.viz", *parts)
