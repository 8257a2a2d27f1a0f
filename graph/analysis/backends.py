"""networkx backends for the analyses, switched by configuration only.

networkx (>= 3.3) hands a call such as ``betweenness_centrality`` to the first backend of
``nx.config.backend_priority`` that implements it; ``NETWORKX_BACKEND_PRIORITY=parallel`` in the
environment puts nx-parallel first (``pip install industry-graph[parallel]``). nx-parallel then runs with
joblib's default of one job unless told otherwise: ``INDGRAPH_NX_JOBS=N`` (``-1``: every core) turns its
configuration on with ``N`` jobs, read once when :mod:`graph.analysis` is imported.

    NETWORKX_BACKEND_PRIORITY=parallel INDGRAPH_NX_JOBS=-1 indgraph analyse key-links
"""

from __future__ import annotations

import os

import networkx as nx

__all__ = ["JOBS_ENV", "configure_parallel", "configured_backends"]

JOBS_ENV = "INDGRAPH_NX_JOBS"


def configured_backends() -> list[str]:
    """The backends networkx tries for algorithms, in order, ending with plain ``networkx``.

    Example
    -------
    >>> configured_backends()[-1]
    'networkx'
    """
    prio = getattr(nx.config, "backend_priority", [])
    algos = list(getattr(prio, "algos", prio))  # networkx >= 3.4 keeps a list per kind; 3.3 a plain list
    return algos if "networkx" in algos else [*algos, "networkx"]


def configure_parallel(n_jobs: int | None = None) -> bool:
    """Give nx-parallel ``n_jobs`` jobs (default: ``$INDGRAPH_NX_JOBS``); False when it is not installed or unset.

    Parameters
    ----------
    n_jobs : int, optional
        Jobs for nx-parallel (``-1``: every core). None reads ``INDGRAPH_NX_JOBS``; unset leaves the
        configuration alone.

    Returns
    -------
    bool
        Whether nx-parallel's configuration was changed.

    Example
    -------
    >>> configure_parallel()        # doctest: +SKIP
    False
    """
    if n_jobs is None:
        raw = os.environ.get(JOBS_ENV, "").strip()
        if not raw:
            return False
        n_jobs = int(raw)
    backends = getattr(nx.config, "backends", None)
    parallel = getattr(backends, "parallel", None) if backends is not None else None
    if parallel is None:
        return False
    parallel.active = True
    parallel.n_jobs = n_jobs
    return True
