"""The sample data generator: deterministic, the tree parses, the history is big enough, README is true."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import hcl2
import pytest

from opslib.secrets import AWS_KEY_PATTERN, is_secret_name

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
TREE = SAMPLE / "infrastructure-live"
PROJECT = SAMPLE / "project"
README = SAMPLE / "README.md"

# The datasets this test owns: regenerated output must equal the committed files byte for byte.
OWNED = ["tree", "history"]


def _load_gen(name: str):  # type: ignore[no-untyped-def]
    """Import ``data/sample/_gen/<name>.py`` (the folder is not a package on sys.path)."""
    if str(SAMPLE) not in sys.path:
        sys.path.insert(0, str(SAMPLE))
    import importlib

    return importlib.import_module(f"_gen.{name}")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _generate(out: Path) -> None:
    cmd = [sys.executable, str(SAMPLE / "generate.py"), "--out", str(out)]
    for name in OWNED:
        cmd += ["--only", name]
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a = tmp_path_factory.mktemp("gen_a")
    b = tmp_path_factory.mktemp("gen_b")
    _generate(a)
    _generate(b)
    return a, b


def test_generator_is_deterministic(regenerated: tuple[Path, Path]) -> None:
    a, b = regenerated
    snap_a, snap_b = _snapshot(a), _snapshot(b)
    assert snap_a, "generator wrote nothing"
    assert snap_a == snap_b


@pytest.mark.parametrize("folder", ["infrastructure-live", "project"])
def test_committed_files_match_generator(regenerated: tuple[Path, Path], folder: str) -> None:
    fresh = _snapshot(regenerated[0] / folder)
    committed = _snapshot(SAMPLE / folder)
    assert sorted(fresh) == sorted(committed), "run `python data/sample/generate.py` and commit"
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, f"stale committed files: {changed[:5]}"


def test_every_hcl_file_parses() -> None:
    files = sorted(TREE.rglob("*.hcl"))
    assert len(files) > 100
    for path in files:
        hcl2.loads(path.read_text(encoding="utf-8"))


def test_tree_shape() -> None:
    units = sorted(p.parent.relative_to(TREE).as_posix() for p in TREE.rglob("terragrunt.hcl"))
    assert len(units) >= 36
    assert {u.split("/")[0] for u in units} == {"non-prod", "prod", "mgmt"}
    for account in ("non-prod", "prod", "mgmt"):
        assert (TREE / account / "account.hcl").is_file()
        assert (TREE / account / "_global" / "region.hcl").is_file()
    assert {p.parent.name for p in TREE.glob("*/*/region.hcl")} >= {"us-east-1", "eu-west-1", "_global"}
    assert len(list(TREE.rglob("terragrunt.stack.hcl"))) == 1
    assert len(list(TREE.rglob("tags.yml"))) >= 4
    sizes = [p.stat().st_size for p in TREE.rglob("terragrunt.hcl")]
    assert min(sizes) > 400 and max(sizes) < 3000


def test_units_spec_matches_tree() -> None:
    tree = _load_gen("tree")
    on_disk = {p.parent.relative_to(TREE).as_posix() for p in TREE.rglob("terragrunt.hcl")}
    assert {u["unit"] for u in tree.UNITS} == on_disk
    for unit in tree.UNITS:
        assert (TREE / unit["unit"] / ".terraform.lock.hcl").is_file() == unit["has_lock_file"]
        for target in unit["dependency_units"]:
            assert target in on_disk, f"{unit['unit']} depends on missing {target}"
    without_lock = sorted(u["unit"] for u in tree.UNITS if not u["has_lock_file"])
    assert without_lock == sorted(tree.MISSING_LOCK_FILES)


def _readme_violations() -> dict[str, tuple[str, int, str]]:
    """Rule id -> (file, line, marker) from the README's violations table."""
    rows = re.findall(r"^\| (TG\d{3}) \| `([^`:]+):(\d+)` \| `(.+?)` \|", README.read_text(), re.M)
    return {rule: (path, int(line), marker) for rule, path, line, marker in rows}


def test_readme_violations_point_at_their_markers() -> None:
    claims = _readme_violations()
    assert set(claims) == {"TG001", "TG002", "TG003", "TG007", "TG008", "TG009"}
    tree = _load_gen("tree")
    assert {k: v[:2] for k, v in claims.items()} == tree.violation_lines(TREE)
    for rule, (path, line, marker) in claims.items():
        text = (TREE / path).read_text().splitlines()[line - 1]
        assert marker in text, f"{rule}: {marker!r} not on {path}:{line}"


def test_violations_appear_once_and_nowhere_else() -> None:
    everything = "\n".join(p.read_text() for p in TREE.rglob("*.hcl"))
    assert everything.count("Sup3rS3cret!sample") == 1
    assert everything.count("?ref=main") == 1
    assert everything.count("changeme123") == 1
    assert everything.count("encrypt        = false") == 1
    assert len(re.findall(r"^include \{", everything, re.M)) == 1
    assert len(re.findall(r"\bterraform\.workspace\b|workspace (new|select)", everything)) == 0
    assert not AWS_KEY_PATTERN.search(everything)


def test_no_other_literal_secret_inputs() -> None:
    """Secret-named inputs take get_env() or a dependency output, except the one planted TG008."""
    literal: list[str] = []
    for path in TREE.rglob("terragrunt.hcl"):
        inputs = hcl2.loads(path.read_text()).get("inputs", {})
        for key, value in inputs.items():
            if is_secret_name(key) and not (isinstance(value, str) and value.startswith("${")):
                literal.append(f"{path.relative_to(TREE).as_posix()}:{key}")
    assert literal == ["non-prod/us-east-1/dev/rds/terragrunt.hcl:master_password"]


def _history() -> dict[str, Any]:
    return json.loads((PROJECT / "project_history.json").read_text(encoding="utf-8"))


def test_history_json_size_and_span() -> None:
    doc = _history()
    assert doc["version"] == "1.0" and doc["project"] == "acme-platform"
    entries = doc["entries"]
    assert len(entries) >= 300
    stamps = [datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")) for e in entries]
    assert (max(stamps) - min(stamps)).days >= 90
    shapes = {"B" if isinstance(e["agent"], dict) else "A" for e in entries}
    assert shapes == {"A", "B"}
    statuses = [e["outcome"]["status"] for e in entries]
    assert 0.05 < statuses.count("failed") / len(statuses) < 0.2


def test_history_files_touch_real_units() -> None:
    deployments = [e for e in _history()["entries"] if e["action"]["type"] == "deployment"]
    touched = {f for e in deployments for f in e["files"]["modified"] if f.endswith("terragrunt.hcl")}
    assert touched
    for rel in touched:
        assert (SAMPLE / rel).is_file(), rel


def test_markdown_has_one_heading_per_md_event() -> None:
    history = _load_gen("history")
    events = history.build_events()
    md = (PROJECT / "PROJECT_HISTORY.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\] ([\w-]+): (.+)$", md, re.M)
    assert len(headings) == sum(e.in_md for e in events)
    json_only = [e for e in events if not e.in_md]
    md_only = [e for e in events if not e.in_json]
    assert 4 <= len(json_only) <= 6 and 3 <= len(md_only) <= 5
    titles = {t for _, _, t in headings}
    for ev in json_only:
        assert ev.title not in titles or sum(x.title == ev.title for x in events) > 1
    readme = README.read_text()
    for ev in json_only + md_only:
        assert ev.title in readme, f"README does not list one-file-only event {ev.title!r}"


def test_culprit_precedes_last_incident() -> None:
    entries = _history()["entries"]
    culprit = next(e for e in entries if e["id"] == "20261118-140237-devops_engineer")
    assert culprit["files"]["modified"] == ["infrastructure-live/prod/us-east-1/prod/ecs-api/terragrunt.hcl"]
    incident = next(e for e in entries if e["timestamp"] == "2026-11-18T16:04:51Z")
    assert "incident" in incident["tags"] and "api" in incident["tags"]
    readme = README.read_text()
    assert culprit["id"] in readme and "2026-11-18T16:04:51Z" in readme


def test_readme_counts_and_lock_files() -> None:
    readme = README.read_text()
    units = len(list(TREE.rglob("terragrunt.hcl")))
    assert f"{units} units" in readme
    entries = _history()["entries"]
    assert f"({len(entries)} entries," in readme
    md = (PROJECT / "PROJECT_HISTORY.md").read_text(encoding="utf-8")
    headings = len(re.findall(r"^## \[", md, re.M))
    assert f"({headings} entries," in readme
    for lock_dir in sorted(p.parent for p in TREE.rglob("terragrunt.hcl")):
        if not (lock_dir / ".terraform.lock.hcl").exists():
            assert f"**`{lock_dir.relative_to(TREE).as_posix()}`**" in readme
