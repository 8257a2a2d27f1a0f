"""Every Cypher statement the project sends, as plain ``.cypher`` files.

Not Python: this file only lets the folder ship inside the package as ``graph.cypher`` (pyproject.toml)
so :mod:`graph.resources` finds it in a wheel as in a checkout.
"""
