"""Curated data (the seed graph) and the name overrides of the national importers.

Not Python: this file only lets the folder ship inside the package as ``graph.data`` (pyproject.toml)
so :mod:`graph.resources` finds it in a wheel as in a checkout.
"""
