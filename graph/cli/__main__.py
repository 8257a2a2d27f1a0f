"""``python -m graph.cli``: the same as the ``indgraph`` command."""

from graph.cli import main

main()
