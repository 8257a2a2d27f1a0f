"""``indgraph``: the command line, a thin layer over the library.

Every command is a plain function in a module named for its group (:mod:`graph.cli.data`, ``db``,
``imports``, ``analyse``, ``viz``) and is registered here, in one place. Library errors
(:class:`graph.errors.IndustryGraphError`) become one line of output here too, in :class:`_Group`.
"""

from __future__ import annotations

from typing import Any

import redis
import typer
from typer.core import TyperGroup

from graph import interrupt
from graph.cli import analyse, chains, data, db, imports, viz
from graph.cli.common import fail, report
from graph.errors import IndustryGraphError

__all__ = ["app", "main"]


class _Group(TyperGroup):
    """The root group: every command runs inside its ``invoke``, so this is where errors are reported."""

    def invoke(self, ctx: Any) -> Any:  # a click Context (typer vendors click)
        # Ctrl-C and SIGTERM: a write stops at its next batch boundary and says what it wrote
        # (graph.interrupt); anything else stops at once, with one line and exit status 130.
        try:
            with interrupt.handle_signals():
                return super().invoke(ctx)
        except IndustryGraphError as exc:
            raise report(exc) from None
        except KeyboardInterrupt:
            if interrupt.interrupted_write():  # a second signal during a write
                raise fail(
                    "interrupted again: stopped at once, in the middle of a write; the store keeps whole batches "
                    "only (each is one transaction); run the same command again to finish it",
                    130,
                ) from None
            raise fail("interrupted; nothing was being written", 130) from None
        except redis.RedisError as exc:  # a path the store did not translate: still one line, not a traceback
            raise fail(f"FalkorDB: {exc}; run 'indgraph db status'") from None


app = typer.Typer(
    cls=_Group,
    help="industry-graph: China's regional industrial landscape as a graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.callback()(data.global_options)
for command in (data.load, data.query, data.queries, data.run, data.stats, data.export):
    app.command()(command)
app.command("neighbours")(analyse.neighbours)
app.command("viz")(viz.viz)

db_app = typer.Typer(help="Start, stop and inspect the embedded FalkorDB server.", no_args_is_help=True)
db_app.command("start")(db.start)
db_app.command("stop")(db.stop)
db_app.command("status")(db.status)
app.add_typer(db_app, name="db")

import_app = typer.Typer(help="Import public data sets into the store.", no_args_is_help=True)
import_app.command("admin")(imports.admin)
import_app.command("universities")(imports.universities)
import_app.command("chainkg")(imports.chainkg)
import_app.command("chains")(imports.chains)
import_app.command("locations")(imports.locations)
app.add_typer(import_app, name="import")

analyse_app = typer.Typer(
    help="Analyse the industry chains with networkx (coverage, key links, fragility, communities, paths).",
    no_args_is_help=True,
)
analyse_app.command("coverage")(analyse.coverage)
analyse_app.command("key-links")(analyse.key_links)
analyse_app.command("fragile")(analyse.fragile)
analyse_app.command("communities")(analyse.communities)
analyse_app.command("path")(analyse.path)
analyse_app.command("gaps")(chains.gaps)
analyse_app.command("compare")(chains.compare)
app.add_typer(analyse_app, name="analyse")


def main() -> None:
    """The ``indgraph`` console script."""
    app()
