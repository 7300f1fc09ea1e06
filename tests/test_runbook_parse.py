"""Runbook parsing: the seed's runbook, variants driven by the fixture folder, and bad input."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import opslib
from opslib.errors import ParseError
from opslib.runbook.parse import is_command, parse_runbook, placeholder_names, stage_of

FIXTURES = Path(__file__).parent / "fixtures" / "runbook"
VARIANTS = sorted((FIXTURES / "variants").glob("*.md"))
SAMPLE_RUNBOOKS = Path(__file__).resolve().parents[1] / "data" / "sample" / "runbooks"


@pytest.mark.parametrize("path", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_variant_matches_expected(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    steps = opslib.load_runbook(path, strict=True)
    assert steps.attrs["title"] == expected["title"]
    assert steps.attrs["errors"] == []
    assert list(dict.fromkeys(steps["phase"])) == expected["phases"]
    assert list(dict.fromkeys(steps["stage"])) == expected["stages"]
    assert len(steps) == expected["steps"]
    assert {str(i): c for i, c in steps["commands"].items() if c} == expected["commands"]
    assert sorted({p for ps in steps["placeholders"] for p in ps}) == expected["placeholders"]
    assert steps.index.name == "step"
    assert list(steps.index) == list(range(len(steps)))


def test_seed_runbook_steps_and_lines() -> None:
    steps = opslib.load_runbook(FIXTURES / "variants" / "seed.md")
    assert steps.loc[2, "text"] == "Check current traffic: `kubectl top pods -n prod`"
    assert steps.loc[2, "order"] == 1 and steps.loc[2, "kind"] == "numbered"
    assert steps.loc[9, "phase"] == "Mitigation" and steps.loc[9, "kind"] == "bullet"
    assert steps.loc[9, "commands"] == ["kubectl rollout undo deployment/api"]
    assert steps.loc[1, "links"] == ["https://grafana/dashboard/api"]
    # "Dashboard link" and "Health endpoint" are steps a person does: no command
    assert steps.loc[6, "commands"] == [] and steps.loc[7, "commands"] == []
    lines = (FIXTURES / "variants" / "seed.md").read_text().splitlines()
    assert "kubectl scale deployment/api" in lines[steps.loc[8, "line"] - 1]


def test_runbook_inside_a_whole_playbook_document() -> None:
    # a playbook-shaped document (front matter, fenced code whose comments look like headings, lists
    # before and after): the fenced runbook halfway down is found and read like the bare one
    steps = opslib.load_runbook(FIXTURES / "playbook-document.md", strict=True)
    expected = opslib.load_runbook(FIXTURES / "variants" / "seed.md")
    assert steps.attrs["title"] == "Service Outage"
    assert steps[["phase", "text", "commands"]].equals(expected[["phase", "text", "commands"]])
    everything = [c for cs in steps["commands"] for c in cs]
    assert "make doctor" not in everything and "terragrunt run --all plan" not in everything


def test_runbook_inside_larger_document_ends_at_next_section() -> None:
    steps = opslib.load_runbook(FIXTURES / "variants" / "nested-and-continuations.md")
    everything = [c for cs in steps["commands"] for c in cs]
    assert "kubectl get pods" not in everything  # prose before the runbook
    assert "kubectl explain deployment" not in everything  # the next ## section
    assert steps.loc[0, "text"].endswith("for 5 minutes (continuation line)")
    assert steps.loc[4, "kind"] == "paragraph"


def test_fenced_block_details() -> None:
    steps = opslib.load_runbook(FIXTURES / "variants" / "fenced-commands.md")
    # console prompt stripped, comment dropped, backslash continuation joined
    assert steps.loc[1, "commands"] == ["kubectl get pods -n {namespace} -l app=<service>"]
    assert steps.loc[2, "commands"][0].startswith("aws sqs get-queue-attributes --queue-url https://")
    assert steps.loc[3, "kind"] == "code"
    assert all("replicas: 3" not in c for cs in steps["commands"] for c in cs)  # yaml is not a command


def test_sample_runbooks_parse_with_placeholders() -> None:
    outage = opslib.load_runbook(SAMPLE_RUNBOOKS / "service-outage.md", strict=True)
    assert set(outage["stage"]) >= {"detection", "immediate", "investigation", "mitigation", "communication"}
    assert {"service", "namespace"} <= {p for ps in outage["placeholders"] for p in ps}
    # curl's own %{http_code} format is not a placeholder
    assert all("http_code" not in ps for ps in outage["placeholders"])
    failover = opslib.load_runbook(SAMPLE_RUNBOOKS / "database-failover.md", strict=True)
    assert "mitigation" in set(failover["stage"])  # "Remediation" maps to the mitigation stage


def test_unclosed_fence_is_reported_with_line() -> None:
    path = FIXTURES / "bad" / "unclosed-fence.md"
    steps = opslib.load_runbook(path)
    assert steps.attrs["errors"][0]["line"] == 5
    assert steps.loc[0, "commands"] == ["kubectl rollout restart deployment/<service>"]
    with pytest.raises(ParseError) as info:
        opslib.load_runbook(path, strict=True)
    assert str(info.value).startswith(f"{path}:5:")


def test_no_steps_lenient_and_strict() -> None:
    path = FIXTURES / "bad" / "no-steps.md"
    assert opslib.load_runbook(path).empty
    with pytest.raises(ParseError, match="no runbook steps"):
        opslib.load_runbook(path, strict=True)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read runbook"):
        opslib.load_runbook(tmp_path / "nope.md")
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ParseError, match="UTF-8"):
        opslib.load_runbook(binary)


@pytest.mark.parametrize(
    ("command", "names"),
    [
        ("kubectl scale deployment/<service> -n {namespace}", ["service", "namespace"]),
        ("stern -l app=${SERVICE} -n {Name-Space}", ["service", "name_space"]),
        ("curl -w '%{http_code}' https://x", []),
        ("echo ${HOME}", ["home"]),
    ],
)
def test_placeholder_names(command: str, names: list[str]) -> None:
    assert placeholder_names(command) == names


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("kubectl top pods", True),
        ("./scripts/x.sh", True),
        ("helm", True),
        ("app=api", False),
        ("replicas", False),
        ("Response time", False),
        ("mytool --flag", True),
    ],
)
def test_is_command(span: str, expected: bool) -> None:
    assert is_command(span) is expected


def test_stage_of() -> None:
    assert stage_of("Immediate Actions") == "immediate"
    assert stage_of("Remediation") == "mitigation"
    assert stage_of("Follow-up") == "other"


def test_parse_text_without_path() -> None:
    steps = parse_runbook("### Mitigation\n- Undo: `kubectl rollout undo deployment/<service>`\n")
    assert steps.attrs["title"] == "Runbook"
    assert steps.loc[0, "placeholders"] == ["service"]


def test_committed_sample_runbooks_match_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "_gen_runbooks", SAMPLE_RUNBOOKS.parent / "_gen" / "runbooks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(tmp_path)
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "runbooks").iterdir()}
    committed = {p.name: p.read_bytes() for p in SAMPLE_RUNBOOKS.glob("*.md")}
    assert fresh == committed, "run `python data/sample/generate.py --only runbooks` and commit"
