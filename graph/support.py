"""How well a fact is supported by its source, and keeping only the facts a document states.

Every source of an entity, a relation or a figure carries a support level:

- ``stated``: the quote (or the imported data set) says it;
- ``inferred``: it follows from the text but the text does not say it; a one-line ``reason`` says why;
- ``background``: outside knowledge, cited by a ``ref:`` reference (``ref:GB/T 2260``).

>>> Support("inferred") is Support.INFERRED, default_support("ref:GB/T 2260")
(True, <Support.BACKGROUND: 'background'>)
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["REF_PREFIX", "Support", "default_support", "is_reference"]

# Sources that are not documents but references to outside knowledge start with this prefix.
REF_PREFIX = "ref:"


class Support(StrEnum):
    """How a source supports a fact, strongest first."""

    STATED = "stated"
    INFERRED = "inferred"
    BACKGROUND = "background"


def is_reference(doc: str) -> bool:
    """True for a ``ref:`` source (outside knowledge), False for a document or data set."""
    return doc.startswith(REF_PREFIX)


def default_support(doc: str) -> Support:
    """The support a source has when none is given: background for a ``ref:`` reference, else stated."""
    return Support.BACKGROUND if is_reference(doc) else Support.STATED
