"""The analyses of ``indgraph analyse key-links | communities | path`` run inside Neo4j with Graph Data Science.

The same questions as :func:`graph.analysis.centrality.key_links`,
:func:`graph.analysis.communities.partnership_communities` and :func:`graph.analysis.paths.connection_paths`,
answered by the GDS library (``CALL gds.*``) on the Neo4j server instead of networkx in this process: the
graph is never sent to Python. Each function projects the graph it needs into GDS's in-memory catalog
(a Cypher projection, ``gds.graph.project``, under a name of its own), runs the algorithms on it
(``mutate`` mode: results go to the projection, never to the database) and reads back only the top rows,
the community members or the paths. The projection is dropped before the function returns, also when it
fails. Every statement is a file of ``cypher/gds/``. The results are the networkx functions' dataclasses,
so they render and serialise alike.

How the two engines agree on the same graph (``tests/test_gds.py`` checks it):

* **PageRank** (damping 0.85): networkx spreads the rank of dangling nodes over every node, GDS drops
  it; both solve ``x = c (I - dM)^-1 1`` for a constant ``c``, so the scores are proportional.
  :func:`key_links_gds` divides GDS's scores by their sum, which gives networkx's numbers (to about 1e-4
  relative: both iterate to a tolerance) and the same order.
* **Betweenness**: GDS's raw scores are scaled to networkx's normalisation (``1/((n-1)(n-2))`` directed,
  ``2/((n-1)(n-2))`` undirected): the same numbers and order when exact. Sampled betweenness (graphs
  above ``exact_limit`` nodes) is an estimate in both engines, from different sources (networkx picks
  them uniformly, GDS by degree): the orders then agree only roughly (the leaders, not every place).
* **Link (edge) betweenness** has no GDS algorithm: the chain graph's ``link_betweenness`` is empty
  with this engine; networkx computes it.
* **Louvain**: GDS's Louvain has no resolution and no seed: with ``resolution`` 1 it runs
  ``gds.louvain``; with another resolution, ``gds.leiden`` with ``gamma = resolution`` and
  ``randomSeed = seed`` on one thread (Louvain with a refinement step). Partitions may differ from
  networkx's; their modularity agrees within 0.02.
* **Paths**: Yen's k shortest paths (``gds.shortestPath.yens``) on the undirected graph. Paths of equal
  length may come in another order, and when more than ``k`` paths tie, another ``k`` of them: compare
  them as sets per length.

All statements of one call run in one read transaction, so on a cluster the projection, the algorithms
and the drop happen on the same member (see docs/neo4j.md, "Graph Data Science"). A projection changes
no data and GDS runs its procedures in read mode, so read access is enough.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from graph import cypherlib
from graph.analysis.centrality import (
    MIN_SAMPLES,
    ChainGraphRanks,
    GraphRanks,
    KeyLinksReport,
    RankedNode,
)
from graph.analysis.common import EntityRef
from graph.analysis.communities import Community, CommunityMember, CommunityReport
from graph.analysis.paths import ConnectionPath, PathStep, StepRelation
from graph.errors import ArgumentError, StoreError, UnknownEntityError
from graph.stores.base import QueryResult, Store, check_param

if TYPE_CHECKING:
    from graph.stores.neo4j import Neo4jStore

__all__ = [
    "DAMPING",
    "GDS_EXACT_LIMIT",
    "GDS_SAMPLES",
    "GDS_SAMPLE_BUDGET",
    "communities_gds",
    "entity_refs",
    "gds_version",
    "key_links_gds",
    "paths_gds",
    "require_gds_store",
]

DAMPING = 0.85  # networkx's default, and GDS's
PAGERANK_ITERATIONS = 100  # networkx's max_iter (GDS's default is 20)
PAGERANK_TOLERANCE = 1e-9  # GDS stops when no score moves more than this
GDS_EXACT_LIMIT = 20_000  # nodes; above, betweenness samples (GDS runs Brandes in parallel JVM threads)
GDS_SAMPLES = 1_000  # sampled sources at most
GDS_SAMPLE_BUDGET = 500_000_000  # nodes + relationships visited by all sampled searches together
EXTRA_ROWS = 10  # rows fetched past the top, so that near-ties at the cut are ordered here, not by float noise

T = TypeVar("T")
Run = Callable[..., QueryResult]


# -- running statements ----------------------------------------------------------------------------
def require_gds_store(store: Store) -> Neo4jStore:
    """``store`` as a Neo4j store, or :class:`~graph.errors.ArgumentError`: GDS runs only inside Neo4j."""
    from graph.stores.neo4j import Neo4jStore

    if not isinstance(store, Neo4jStore):
        raise ArgumentError(
            f"the gds engine runs Graph Data Science inside Neo4j; the {store.dialect} store has none: "
            "use the neo4j store or the networkx engine"
        )
    return store


def _one_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def _no_gds(exc: Exception) -> bool:
    message = getattr(exc, "message", None) or str(exc)
    code = getattr(exc, "code", None) or ""
    return "gds." in message and (
        code.endswith("ProcedureNotFound") or "Unknown function" in message or "no procedure" in message.lower()
    )


def _statement(name: str) -> str:
    return cypherlib.statement(f"gds/{name}")


def _rows(result: Any) -> QueryResult:
    from graph.stores.neo4j import plain

    keys = list(result.keys())
    return QueryResult(keys, [[plain(v) for v in record.values()] for record in result])


def _in_gds(store: Store, work: Callable[[Run], T], timeout_ms: int | None) -> T:
    """Run ``work(run)`` in one read transaction; ``run(statement, **params)`` runs ``cypher/gds/<statement>``
    with ``$name`` set to a fresh projection name, which is dropped at the end (also after a failure).
    """
    from neo4j import READ_ACCESS, ManagedTransaction, unit_of_work
    from neo4j.exceptions import DriverError, Neo4jError

    neo = require_gds_store(store)
    names: list[str] = []

    def unit(tx: ManagedTransaction) -> T:
        name = f"indgraph_{uuid.uuid4().hex}"
        names.append(name)  # a retried attempt gets a new name; every one is dropped below

        def run(stmt: str, **params: Any) -> QueryResult:
            for key, value in params.items():
                check_param(key, value)
            return _rows(tx.run(_statement(stmt), {"name": name, **params}))

        out = work(run)
        run("drop")  # in the same transaction: on a cluster, on the member that holds the projection
        names.remove(name)
        return out

    timed = unit_of_work(timeout=timeout_ms / 1000 if timeout_ms else None)(unit)
    try:
        # Read access is enough: GDS registers its projections, mutate-mode algorithms, streams and drops
        # as read-mode procedures (they change no data), and Neo4j runs them in a read transaction.
        with neo.driver.session(database=neo.database, default_access_mode=READ_ACCESS) as session:
            return session.execute_read(timed)
    except Neo4jError as exc:
        if _no_gds(exc):
            raise StoreError(
                f"Neo4j at {neo.uri} has no Graph Data Science library (gds.*): install the GDS plugin, "
                "use AuraDS, or use the networkx engine"
            ) from None
        if "TransactionTimedOut" in (exc.code or ""):
            raise StoreError(f"the analysis ran longer than its timeout ({timeout_ms} ms) and was stopped") from None
        raise StoreError(f"Neo4j refused a Graph Data Science call: {_one_line(exc)}") from None
    except DriverError as exc:
        raise StoreError(f"lost the connection to Neo4j at {neo.uri} ({_one_line(exc)})") from None
    finally:
        for name in names:  # a failed attempt's projection (GDS's catalog is not transactional)
            with contextlib.suppress(StoreError):
                neo.query(_statement("drop"), {"name": name}, timeout_ms=None)


def gds_version(store: Store) -> str:
    """The version of Graph Data Science on the store's server, e.g. ``"2.13.9"``.

    Raises
    ------
    graph.errors.ArgumentError
        ``store`` is not a Neo4j store.
    graph.errors.StoreError
        The server has no GDS library.
    """
    return _in_gds(store, lambda run: str(run("version").rows[0][0]), None)


def entity_refs(store: Store, ids: Iterable[str]) -> dict[str, EntityRef]:
    """The :class:`EntityRef` of those of ``ids`` that are in the store, by id (one read query)."""
    res = store.query(_statement("entities"), {"ids": sorted(set(ids))})
    return {r["id"]: EntityRef(r["id"], r["type"], r["name"], r["name_zh"]) for r in res.records()}


# -- key links --------------------------------------------------------------------------------------
def _sample_k(nodes: int, links: int, exact_limit: int, samples: int | None) -> int | None:
    if nodes <= exact_limit:
        return None
    if samples is not None:
        return min(samples, nodes)
    return min(GDS_SAMPLES, nodes, max(MIN_SAMPLES, GDS_SAMPLE_BUDGET // (nodes + links)))


def _betweenness_scale(n: int, k: int | None, directed: bool) -> float:
    """The factor from GDS's raw betweenness to networkx's normalised (and, sampled, extrapolated) one."""
    if n <= 2:
        return 1.0  # no node lies between two others: every score is 0
    scale = (1.0 if directed else 2.0) / ((n - 1) * (n - 2))
    return scale * n / k if k else scale  # GDS sums the sampled sources' dependencies without extrapolating


def _ranked(rows: QueryResult, top: int, scale: float | None) -> tuple[RankedNode, ...]:
    """Top rows of gds/top_nodes as RankedNodes; ``scale`` None divides by the sum (PageRank)."""
    ranked = []
    for r in rows.records():
        factor = scale if scale is not None else (1.0 / r["total"] if r["total"] else 0.0)
        ranked.append(RankedNode(r["id"], r["type"], r["name"], r["name_zh"], r["score"] * factor))
    # GDS and networkx add up floats in another order: scores equal to 12 digits are ties, ordered by id
    ranked.sort(key=lambda n: (-float(f"{n.score:.12g}"), n.id))
    return tuple(ranked[:top])


def _top(run: Run, prop: str, top: int, scale: float | None) -> tuple[RankedNode, ...]:
    return _ranked(run("top_nodes", property=prop, limit=top + EXTRA_ROWS), top, scale)


def _pagerank(run: Run, top: int, concurrency: int | None) -> tuple[RankedNode, ...]:
    config: dict[str, Any] = {
        "mutateProperty": "pagerank",
        "dampingFactor": DAMPING,
        "maxIterations": PAGERANK_ITERATIONS,
        "tolerance": PAGERANK_TOLERANCE,
    }
    if concurrency:
        config["concurrency"] = concurrency
    run("pagerank", config=config)
    return _top(run, "pagerank", top, None)


def _betweenness(
    run: Run, top: int, n: int, k: int | None, seed: int, directed: bool, concurrency: int | None
) -> tuple[RankedNode, ...]:
    config: dict[str, Any] = {"mutateProperty": "betweenness"}
    if k:
        # GDS picks the sampled sources per thread: one thread makes them (and the answer) repeatable
        config |= {"samplingSize": k, "samplingSeed": seed, "concurrency": concurrency or 1}
    elif concurrency:
        config["concurrency"] = concurrency
    run("betweenness", config=config)
    return _top(run, "betweenness", top, _betweenness_scale(n, k, directed))


def key_links_gds(
    store: Store,
    top: int = 10,
    *,
    exact_limit: int = GDS_EXACT_LIMIT,
    samples: int | None = None,
    seed: int = 0,
    concurrency: int | None = None,
    timeout_ms: int | None = None,
) -> KeyLinksReport:
    """:func:`graph.analysis.centrality.key_links` computed inside Neo4j by Graph Data Science.

    Three projections: the sector chain graph (directed, PART_OF_CHAIN), the whole graph directed (for
    PageRank) and undirected (for betweenness); the same graphs as networkx builds.

    Parameters
    ----------
    store : Store
        A Neo4j store whose server has the GDS library.
    top : int
        How many of each ranking to return.
    exact_limit : int
        Graphs with more nodes than this get sampled betweenness (default :data:`GDS_EXACT_LIMIT`,
        ten times networkx's: GDS runs in parallel on the server).
    samples : int, optional
        Source nodes for sampled betweenness (GDS's ``samplingSize``); default: up to
        :data:`GDS_SAMPLES`, fewer when nodes + relationships times the samples exceed
        :data:`GDS_SAMPLE_BUDGET`, never fewer than :data:`~graph.analysis.centrality.MIN_SAMPLES`.
    seed : int
        ``samplingSeed`` of the sampling.
    concurrency : int, optional
        Threads for the algorithms (default: GDS's; sampled betweenness: 1, since GDS samples per thread
        and only one thread makes the answer repeatable for a seed).
    timeout_ms : int, optional
        Stop after this long (default: no limit).

    Returns
    -------
    KeyLinksReport
        As networkx's, with scores on networkx's scale (PageRank summing to 1, betweenness normalised);
        ``chain_graph.link_betweenness`` is empty (GDS has no edge betweenness; networkx computes it);
        ``backends`` is ``("gds <version>",)``.

    Raises
    ------
    graph.errors.ArgumentError
        ``store`` is not a Neo4j store.
    graph.errors.StoreError
        The server has no GDS library, or refused a call.
    """
    if top < 1:
        raise ArgumentError(f"top must be at least 1, not {top}")

    def work(run: Run) -> KeyLinksReport:
        version = str(run("version").rows[0][0])
        chain_nodes, chain_links = run("project_chain").rows[0]
        if chain_nodes:
            k = _sample_k(chain_nodes, chain_links, exact_limit, samples)
            chain = ChainGraphRanks(
                nodes=chain_nodes,
                edges=chain_links,
                sampled_k=k,
                betweenness=_betweenness(run, top, chain_nodes, k, seed, True, concurrency),
                pagerank=_pagerank(run, top, concurrency),
                link_betweenness=(),
            )
            run("drop")  # the same name serves the next projection
        else:
            chain = ChainGraphRanks(0, 0, None, (), (), ())
        nodes, relations = run("project_directed").rows[0]
        if not nodes:
            return KeyLinksReport(chain, GraphRanks(0, 0, None, (), ()), (f"gds {version}",))
        pagerank = _pagerank(run, top, concurrency)
        run("drop")
        _, pairs = run("project_undirected", relations=None, all=True, ids=[]).rows[0]
        k = _sample_k(nodes, pairs, exact_limit, samples)
        full = GraphRanks(
            nodes=nodes,
            edges=relations,
            sampled_k=k,
            betweenness=_betweenness(run, top, nodes, k, seed, False, concurrency),
            pagerank=pagerank,
        )
        return KeyLinksReport(chain, full, (f"gds {version}",))

    return _in_gds(store, work, timeout_ms)


# -- communities ------------------------------------------------------------------------------------
def communities_gds(
    store: Store,
    relations: Iterable[str] = ("PARTNERS_WITH",),
    *,
    seed: int = 42,
    resolution: float = 1.0,
    concurrency: int | None = None,
    timeout_ms: int | None = None,
) -> CommunityReport:
    """:func:`graph.analysis.communities.partnership_communities` computed inside Neo4j by Graph Data Science.

    The graph is the same as networkx's: entities joined by relations of the given types, undirected,
    one link per pair weighted by the number of relations between them, no self-relations.

    Parameters
    ----------
    store : Store
        A Neo4j store whose server has the GDS library.
    relations : iterable of str
        Relation types that join entities (default: PARTNERS_WITH only).
    seed : int
        Leiden's ``randomSeed`` (resolution other than 1); GDS's Louvain takes no seed.
    resolution : float
        1: GDS Louvain. Another value: GDS Leiden with ``gamma`` = resolution (GDS's Louvain has none).
    concurrency : int, optional
        Threads for the algorithm. Default: GDS's for Louvain (repeatable in our runs); 1 for Leiden,
        whose answer for a seed is repeatable only on one thread.
    timeout_ms : int, optional
        Stop after this long (default: no limit).

    Returns
    -------
    CommunityReport
        As networkx's; ``modularity`` is GDS's for the final partition (at the resolution).

    Raises
    ------
    graph.errors.ArgumentError
        ``store`` is not a Neo4j store, or ``resolution`` is not positive.
    graph.errors.StoreError
        The server has no GDS library, or refused a call.
    """
    if not resolution > 0:
        raise ArgumentError(f"resolution must be positive, not {resolution}")
    rels = sorted(set(relations))
    config: dict[str, Any] = {"mutateProperty": "community", "relationshipWeightProperty": "weight"}
    if resolution != 1.0:
        config |= {"gamma": float(resolution), "randomSeed": seed, "concurrency": concurrency or 1}
    elif concurrency:
        config["concurrency"] = concurrency

    def work(run: Run) -> CommunityReport:
        nodes, pairs = run("project_undirected", relations=rels, all=False, ids=[]).rows[0]
        if not nodes:
            return CommunityReport(tuple(rels), 0, 0, 0.0, ())
        modularity = run("louvain" if resolution == 1.0 else "leiden", config=config).rows[0][0]
        members = run("community_members", property="community").records()
        return _community_report(rels, nodes, pairs, float(modularity), members)

    return _in_gds(store, work, timeout_ms)


def _community_report(
    rels: list[str], nodes: int, pairs: int, modularity: float, rows: list[dict[str, Any]]
) -> CommunityReport:
    parts: dict[int, list[CommunityMember]] = {}
    for r in rows:
        member = CommunityMember(r["id"], r["type"], r["name"], r["name_zh"], int(r["degree"]))
        parts.setdefault(int(r["community"]), []).append(member)
    found = []
    for members in parts.values():
        members.sort(key=lambda m: (-m.degree, str(m.name).casefold(), m.id))
        found.append((len(members), sum(m.degree for m in members) // 2, tuple(members)))
    found.sort(key=lambda c: (-c[0], min(m.id for m in c[2])))
    return CommunityReport(
        relations=tuple(rels),
        nodes=nodes,
        edges=pairs,
        modularity=modularity,
        communities=tuple(Community(i, *c) for i, c in enumerate(found, 1)),
    )


# -- paths ------------------------------------------------------------------------------------------
def paths_gds(
    store: Store,
    a: str,
    b: str,
    k: int = 3,
    relations: Iterable[str] | None = None,
    *,
    timeout_ms: int | None = None,
) -> list[ConnectionPath]:
    """:func:`graph.analysis.paths.connection_paths` computed inside Neo4j by Graph Data Science.

    Yen's ``k`` shortest paths on the undirected projection of the relations of the given types; the
    relations along each path and their directions are then read from the database, one query.

    Parameters
    ----------
    store : Store
        A Neo4j store whose server has the GDS library.
    a, b : str
        Ids of the two entities.
    k : int
        How many paths at most.
    relations : iterable of str, optional
        Use only these relation types (default: all).
    timeout_ms : int, optional
        Stop after this long (default: no limit).

    Returns
    -------
    list of ConnectionPath
        Shortest first; paths of equal length in GDS's order (networkx may order them, or pick among
        more than ``k`` of them, differently). Empty when the two are not connected.

    Raises
    ------
    graph.errors.UnknownEntityError
        ``a`` or ``b`` is not in the store.
    graph.errors.ArgumentError
        ``k`` is less than 1, or ``store`` is not a Neo4j store.
    graph.errors.StoreError
        The server has no GDS library, or refused a call.
    """
    require_gds_store(store)
    refs = entity_refs(store, [a, b])
    for node in (a, b):
        if node not in refs:
            raise UnknownEntityError(f"no entity with id '{node}' (look names up with graph.lookup.resolve)")
    if k < 1:
        raise ArgumentError(f"k must be at least 1, not {k}")
    if a == b:
        return [ConnectionPath(0, (a,), (refs[a].name,), ())]
    rels = sorted(set(relations)) if relations is not None else None

    def work(run: Run) -> list[dict[str, Any]]:
        run("project_undirected", relations=rels, all=False, ids=[a, b])
        return run("yens", relations=rels, k=k, **{"from": a, "to": b}).records()

    return [_path(r) for r in _in_gds(store, work, timeout_ms)]


def _path(row: Mapping[str, Any]) -> ConnectionPath:
    ids, names = tuple(row["ids"]), tuple(row["names"])
    by_step = {i: rels for i, rels in row["steps"]}
    steps = []
    for i in range(len(ids) - 1):
        found = by_step.get(i, [])
        forward = sorted({t for t, along in found if along})
        backward = sorted({t for t, along in found if not along})
        relations = [StepRelation(t, "->") for t in forward] + [StepRelation(t, "<-") for t in backward]
        steps.append(PathStep(ids[i], ids[i + 1], tuple(relations)))
    return ConnectionPath(len(ids) - 1, ids, names, tuple(steps))
