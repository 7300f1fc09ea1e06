"""The CI examples for the change review: valid YAML with the keys each CI reads, and every `opslib review`
line they run parses with the real command's options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from opslib.cli.review import command

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _opslib_lines(script: str) -> list[list[str]]:
    lines = []
    for line in script.splitlines():
        line = line.strip().removesuffix("|| true").strip()
        if line.startswith("opslib review"):
            # CI variables become plain words: what matters is the options the command accepts
            line = re.sub(r"\$\{\{[^}]*\}\}|\$[A-Z_]+", "ci-value", line)
            lines.append(shlex.split(line)[2:])
    return lines


def _parses(args: list[str]) -> None:
    try:
        command.make_context("review", list(args), resilient_parsing=False)
    except click.exceptions.BadParameter as exc:
        # paths are checked for existence: the repository's folders do not exist here
        assert exc.param is not None and exc.param.name == "root", exc
    except click.UsageError as exc:  # pragma: no cover - the failure we are looking for
        pytest.fail(f"`opslib review {shlex.join(args)}`: {exc}")


def test_github_actions_workflow() -> None:
    flow: dict[Any, Any] = yaml.safe_load((EXAMPLES / "github-actions-review.yml").read_text())
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads the bare key `on` as true
    assert "pull_request" in triggers
    assert flow["permissions"]["pull-requests"] == "write"
    assert flow["permissions"]["security-events"] == "write"
    steps = flow["jobs"]["review"]["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # the base revision must be in the clone
    runs = _opslib_lines("\n".join(s.get("run", "") for s in steps))
    assert {a[a.index("--format") + 1] for a in runs} == {"markdown", "sarif"}
    for args in runs:
        _parses(args)
    assert any("upload-sarif" in str(s.get("uses", "")) for s in steps)
    comment = next(s for s in steps if str(s.get("uses", "")).startswith("actions/github-script"))
    assert "<!-- opslib-review -->" in comment["with"]["script"]  # the marker to_markdown writes


def test_gitlab_ci_job() -> None:
    pipeline: dict[str, Any] = yaml.safe_load((EXAMPLES / "gitlab-ci-review.yml").read_text())
    job = pipeline["opslib-review"]
    assert job["stage"] in pipeline["stages"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert 2 in job["allow_failure"]["exit_codes"]
    runs = _opslib_lines("\n".join(job["script"]))
    assert len(runs) == 2
    for args in runs:
        _parses(args)
    assert set(job["artifacts"]["paths"]) == {"review.md", "gl-opslib.sarif"}


def test_comment_marker_matches_the_renderer() -> None:
    from opslib.review.render import MARKER

    assert MARKER in (EXAMPLES / "github-actions-review.yml").read_text()
