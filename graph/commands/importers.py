"""``indgraph import …``: the sub-app that importer modules add their commands to.

An importer module does ``from graph.commands.importers import import_app`` and decorates its command
with ``@import_app.command("NAME")``.
"""

from __future__ import annotations

import typer

import_app = typer.Typer(help="Import public data sets into the store.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
