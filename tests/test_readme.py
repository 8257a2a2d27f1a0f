"""The README's examples still run and still print what the README shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.readme_examples import README, normalise, parse, run, seeded_env

EXAMPLES = parse(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def env():
    with seeded_env() as e:
        yield e


def test_readme_has_the_two_quick_start_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text[text.index("## Quick start") :]
    quick = quick[: quick.index("\n## ", 3)]
    assert re.findall(r"^make \w+$", quick, re.M) == ["make demo", "make test"]


def test_every_cli_command_has_an_example() -> None:
    from typer.main import get_command

    from graph.cli import app

    root = get_command(app)
    paths = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        paths += [f"{name} {s}" for s in subs] if subs else [name]
    text = README.read_text(encoding="utf-8")
    shown = [" " + line[2:].strip() + " " for line in text.splitlines() if line.startswith("$ indgraph")]
    missing = [p for p in paths if not any(f" {p} " in s for s in shown)]
    assert not missing, f"README has no example for: {missing}"


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.mode != "skip"], ids=lambda e: e.command[:60])
def test_readme_example(example, env, tmp_path: Path) -> None:
    code, printed = run(example.command, env, tmp_path)
    assert code == 0, printed
    if example.mode == "compare":
        assert normalise(printed) == normalise(example.expected), "run `python -m tests.readme_examples --update`"
