"""Check Cypher with Neo4j's own front end, run through Node.

The checker is ``tests/support/cypher_lint/lint.mjs``, which uses the npm package
``@neo4j-cypher/language-support`` (pinned in ``tests/support/cypher_lint/package.json``) for the syntactic
(ANTLR grammar) and semantic (Neo4j's compiler front end) analysis. Install it with
``npm ci --prefix tests/support/cypher_lint``. No database schema is passed, so labels, properties and
procedures are not checked against one, and every ``$param`` is reported as undefined:
:func:`errors` drops exactly those diagnostics.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "INSTALL_HINT",
    "Diagnostic",
    "LintUnavailableError",
    "available",
    "errors",
    "is_undefined_parameter",
    "lint",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = Path(__file__).resolve().parent / "cypher_lint"
LINT_SCRIPT = LINT_DIR / "lint.mjs"
PACKAGE_DIR = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
INSTALL_HINT = "run `npm ci --prefix tests/support/cypher_lint` (needs Node.js) to install the Cypher checker"

# The package reports each parameter missing from the (absent) schema as
# "Parameter $<name> is not defined." (errorOnUndeclaredParameters in its syntaxValidation.js;
# the name keeps its backticks if it had them).
_UNDEFINED_PARAM = re.compile(r"Parameter \$(?:\w+|`[^`]+`) is not defined\.")


class LintUnavailableError(RuntimeError):
    """Node or the npm package behind the checker is missing."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding; ``line`` and ``column`` are 1-based."""

    severity: str
    message: str
    line: int
    column: int


def _node() -> str | None:
    return shutil.which("node")


def available() -> bool:
    """Tell whether ``node`` is on PATH and the npm package is installed."""
    return _node() is not None and (PACKAGE_DIR / "package.json").is_file() and LINT_SCRIPT.is_file()


def lint(statements: Mapping[str, str], version: str = "5", *, timeout: float = 300.0) -> dict[str, list[Diagnostic]]:
    """Lint each Cypher text (which may hold several ``;``-separated statements) as ``version``.

    All texts go to one ``node`` process. Returns every diagnostic, undefined parameters
    included; see :func:`errors`. Raises :class:`LintUnavailableError` if the checker is
    not installed, :class:`RuntimeError` if it fails.
    """
    node = _node()
    if node is None:
        raise LintUnavailableError(f"`node` is not on PATH; install Node.js, then {INSTALL_HINT}")
    if not (PACKAGE_DIR / "package.json").is_file():
        raise LintUnavailableError(f"@neo4j-cypher/language-support is not installed: {INSTALL_HINT}")
    payload = json.dumps({"version": version, "statements": dict(statements)}, ensure_ascii=False)
    proc = subprocess.run(
        [node, str(LINT_SCRIPT)],
        input=payload.encode("utf-8"),
        capture_output=True,
        cwd=REPO_ROOT,
        check=False,
        timeout=timeout,
    )
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode == 3:
        raise LintUnavailableError(stderr or INSTALL_HINT)
    if proc.returncode != 0:
        raise RuntimeError(f"Cypher checker failed (exit {proc.returncode}): {stderr}")
    raw = json.loads(proc.stdout.decode("utf-8"))
    return {key: [Diagnostic(**d) for d in raw[key]] for key in statements}


def is_undefined_parameter(diagnostic: Diagnostic) -> bool:
    """True for the package's "Parameter $name is not defined." diagnostic, and nothing else."""
    return _UNDEFINED_PARAM.fullmatch(diagnostic.message) is not None


def errors(statements: Mapping[str, str], version: str = "5", *, timeout: float = 300.0) -> dict[str, list[Diagnostic]]:
    """Like :func:`lint`, keeping only errors and dropping the expected undefined-parameter ones."""
    return {
        key: [d for d in diags if d.severity == "error" and not is_undefined_parameter(d)]
        for key, diags in lint(statements, version, timeout=timeout).items()
    }
