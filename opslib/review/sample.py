"""A demonstration change on the bundled sample tree, for the review report's sample mode and the tests.

``demo_repo(dest)`` copies the sample tree into a new git repository at ``dest`` (branch ``main``), then
commits on a branch ``change``: (a) the production VPC of us-east-1 moves to the next module release,
(b) a staging unit gets a hardcoded password, (c) the shared ``_envcommon/rds.hcl`` is edited. It
returns the tree root inside ``dest``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from opslib.errors import MissingDependencyError

__all__ = ["DEMO_PASSWORD", "demo_repo"]

#: the planted hardcoded password: no output of a review may show it
DEMO_PASSWORD = "Tr4in-Demo-Pa55word!"

_AUTHOR = [
    "-c",
    "user.name=opslib sample",
    "-c",
    "user.email=sample@opslib.invalid",
    "-c",
    "commit.gpgsign=false",
]


def _git(dest: Path, *args: str) -> None:
    if shutil.which("git") is None:
        raise MissingDependencyError("git", binary=True)
    subprocess.run(["git", "-C", str(dest), *_AUTHOR, *args], check=True, capture_output=True, timeout=120)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise ValueError(f"{path}: {old!r} not found")  # the sample changed: the demo must follow it
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def demo_repo(dest: str | Path, sample_tree: str | Path | None = None) -> Path:
    """Build the demonstration repository (see the module doc); returns its tree root."""
    from opslib._paths import sample_dir

    dest = Path(dest)
    root = dest / "infrastructure-live"
    shutil.copytree(Path(sample_tree) if sample_tree else sample_dir() / "infrastructure-live", root)
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "sample platform")
    _git(dest, "checkout", "-q", "-b", "change")
    _edit(root / "prod/us-east-1/prod/vpc/terragrunt.hcl", "?ref=v1.7.2", "?ref=v1.8.0")
    _git(dest, "commit", "-q", "-am", "prod vpc: module v1.8.0")
    _edit(
        root / "non-prod/us-east-1/staging/elasticache/terragrunt.hcl",
        "inputs = {",
        f'inputs = {{\n  admin_password = "{DEMO_PASSWORD}"',
    )
    _git(dest, "commit", "-q", "-am", "staging cache: admin password")
    common = root / "_envcommon/rds.hcl"
    common.write_text(common.read_text(encoding="utf-8") + "\n# reviewed parameter group defaults\n")
    _git(dest, "commit", "-q", "-am", "envcommon rds: note")
    return root
