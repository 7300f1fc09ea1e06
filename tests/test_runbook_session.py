"""IncidentSession: context (the planted culprit), timeline, times, postmortem, history record."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import networkx as nx
import pandas as pd
import pytest

import opslib
from opslib import IncidentSession
from opslib.errors import ParameterError, ParseError
from opslib.runbook import simulated_clock
from opslib.runbook.context import gather_context, service_units
from opslib.runbook.postmortem import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = ROOT / "data" / "sample" / "runbooks" / "service-outage.md"
SEED = Path(__file__).parent / "fixtures" / "runbook" / "variants" / "seed.md"
START = pd.Timestamp("2026-11-18T16:00:00Z")
UNIT = "prod/us-east-1/prod/ecs-api"


def _event(
    hours_before: float,
    action_type: str,
    description: str,
    *,
    status: str = "completed",
    agent: str = "devops-engineer",
    files: list[str] | None = None,
    tags: list[str] | None = None,
    id_: str = "",
) -> dict[str, Any]:
    return {
        "id": id_ or f"e{hours_before}",
        "timestamp": START - pd.Timedelta(hours=hours_before),
        "agent": agent,
        "action_type": action_type,
        "description": description,
        "category": "operations",
        "task": "",
        "status": status,
        "summary": "",
        "files_created": [],
        "files_modified": files or [],
        "files_deleted": [],
        "follow_up": [],
        "tags": tags or [],
    }


def _history() -> pd.DataFrame:
    rows = [
        _event(
            2.0,
            "deployment",
            "Deploy api 2026.11.3 to prod",
            id_="culprit",
            files=[f"infrastructure-live/{UNIT}/terragrunt.hcl"],
        ),
        _event(1.0, "deployment", "Deploy api-gateway 4.2 to prod", id_="decoy-other-service"),
        _event(
            0.5,
            "deployment",
            "Deploy web 3.1 to prod",
            id_="decoy-web",
            files=["infrastructure-live/prod/us-east-1/prod/ecs-web/terragrunt.hcl"],
        ),
        _event(30.0, "deployment", "Deploy api 2026.11.2 to prod", id_="decoy-too-old"),
        _event(-1.0, "deployment", "Deploy api hotfix", id_="decoy-after-start"),
        _event(0.2, "review", "Reviewed api dashboards", id_="api-review"),
        _event(
            3.0,
            "configuration",
            "Raise rds max_connections",
            id_="rds-change",
            files=["infrastructure-live/prod/us-east-1/prod/rds/terragrunt.hcl"],
            status="failed",
        ),
        _event(
            6.0,
            "deployment",
            "Roll out api canary",
            id_="older-api-deploy",
            tags=["deployment"],
            agent="backend-developer",
        ),
    ]
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


def _tree() -> SimpleNamespace:
    units = pd.DataFrame(
        {
            "unit": [
                UNIT,
                "prod/us-east-1/prod/rds",
                "prod/us-east-1/prod/alb",
                "prod/us-east-1/prod/ecs-web",
                "non-prod/us-east-1/dev/ecs-api",
                "prod/us-east-1/prod/api-gateway",
            ],
            "environment": ["prod", "prod", "prod", "prod", "dev", "prod"],
        }
    )
    graph = nx.DiGraph([(UNIT, "prod/us-east-1/prod/rds"), ("prod/us-east-1/prod/alb", UNIT)])

    def blast_radius(changed: list[str]) -> pd.DataFrame:
        assert changed == [UNIT]
        return pd.DataFrame({"unit": [UNIT, "prod/us-east-1/prod/alb"], "distance": [0, 1]})

    return SimpleNamespace(units=units, graph=graph, blast_radius=blast_radius)


def _plans() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": [UNIT, "prod/us-east-1/prod/rds", "prod/us-east-1/prod/ecs-web", UNIT],
            "address": [
                "aws_ecs_service.this",
                "aws_db_parameter_group.this",
                "aws_ecs_service.this",
                "aws_iam_role.task",
            ],
            "kind": ["drift", "drift", "drift", "planned"],
            "action": ["update"] * 4,
        }
    )


def _session(**kw: Any) -> IncidentSession:
    args: dict[str, Any] = {
        "incident_id": "INC-42",
        "service": "api",
        "namespace": "prod",
        "started_at": START,
        "history": _history(),
        "tree": _tree(),
        "plans": _plans(),
        "clock": simulated_clock(START, "2min"),
    }
    args.update(kw)
    return IncidentSession(RUNBOOK, **args)


def test_context_picks_planted_culprit() -> None:
    s = _session()
    culprits = s.context["culprits"]
    assert culprits.iloc[0]["id"] == "culprit"
    assert culprits.iloc[0]["match"] == "unit" and culprits.iloc[0]["hours_before"] == pytest.approx(2.0)
    assert list(culprits["id"]) == ["culprit", "older-api-deploy"]
    assert list(culprits["rank"]) == [1, 2]
    events = s.context["events"]
    # deployments first, then the rest by closeness; the dependency's failed change is there too
    assert list(events["id"]) == ["culprit", "older-api-deploy", "api-review", "rds-change"]
    assert events.set_index("id").loc["rds-change", "match"] == "dependency"
    assert list(s.context["failures"]["id"]) == ["rds-change"]
    assert s.context_notes == {}


def test_context_units_drift_and_blast_radius() -> None:
    s = _session()
    units = s.context["units"]
    assert units.to_dict("records") == [
        {"unit": UNIT, "relation": "service", "distance": 0},
        {"unit": "prod/us-east-1/prod/rds", "relation": "dependency", "distance": 1},
    ]
    drift = s.context["drift"]
    assert sorted(zip(drift["unit"], drift["relation"], strict=True)) == [
        (UNIT, "service"),
        ("prod/us-east-1/prod/rds", "dependency"),
    ]
    assert list(s.context["blast_radius"]["unit"]) == [UNIT, "prod/us-east-1/prod/alb"]


def _unit(root: Path, path: str, depends_on: str | None = None) -> None:
    folder = root / path
    folder.mkdir(parents=True)
    text = 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
    if depends_on:
        text += f'\ndependency "up" {{\n  config_path = "../{depends_on}"\n}}\n'
    (folder / "terragrunt.hcl").write_text(text, encoding="utf-8")


def test_blast_radius_from_a_real_tree(tmp_path: Path) -> None:
    # the stubbed tree above only passes a frame through: here the graph of a loaded tree decides.
    # edge -> alb -> ecs-api -> rds: a change to the service reaches alb (1) and edge (2), not rds
    (tmp_path / "root.hcl").write_text("locals {}\n", encoding="utf-8")
    _unit(tmp_path, "prod/rds")
    _unit(tmp_path, "prod/ecs-api", "rds")
    _unit(tmp_path, "prod/alb", "ecs-api")
    _unit(tmp_path, "prod/edge", "alb")
    tree = opslib.load_tree(tmp_path, repo_root=tmp_path, cache=False)
    ctx = gather_context(service="api", namespace="prod", started_at=START, tree=tree)
    blast = ctx.frames["blast_radius"]
    assert blast[["unit", "distance"]].to_dict("records") == [
        {"unit": "prod/ecs-api", "distance": 0},
        {"unit": "prod/alb", "distance": 1},
        {"unit": "prod/edge", "distance": 2},
    ]
    assert blast["reason"].tolist()[1:] == ["depends on prod/ecs-api", "depends on prod/alb"]
    assert ctx.frames["units"].to_dict("records") == [
        {"unit": "prod/ecs-api", "relation": "service", "distance": 0},
        {"unit": "prod/rds", "relation": "dependency", "distance": 1},
    ]


def test_service_units_scoped_to_namespace() -> None:
    units = _tree().units
    assert service_units(units, "api", "prod") == [UNIT]
    assert service_units(units, "api", None) == sorted([UNIT, "non-prod/us-east-1/dev/ecs-api"])
    assert service_units(units, "pi", "prod") == []  # part of a name is not the name
    assert service_units(units, "web", "prod") == ["prod/us-east-1/prod/ecs-web"]


def test_context_without_inputs_says_not_available() -> None:
    ctx = gather_context(service="api", namespace="prod", started_at=START)
    for key in ("culprits", "events", "failures", "drift", "blast_radius", "units"):
        assert key in ctx.notes and ctx.notes[key].startswith("not available")
        assert ctx.frames[key].empty
    s = IncidentSession(SEED, incident_id="INC-1", service="api", started_at=START)
    text = s.postmortem()
    assert "not available: no history given" in text


def test_context_from_plan_units_when_no_tree() -> None:
    ctx = gather_context(
        service="api", namespace="prod", started_at=START, history=_history(), plans=_plans()
    )
    assert list(ctx.frames["units"]["unit"]) == [UNIT]
    assert ctx.frames["culprits"].iloc[0]["id"] == "culprit"
    assert list(ctx.frames["drift"]["unit"]) == [UNIT]
    assert "blast_radius" in ctx.notes


def test_broken_input_degrades(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: Any) -> pd.DataFrame:
        raise ParseError("invalid JSON", path=path, line=1)

    monkeypatch.setitem(vars(opslib), "load_history", broken)
    s = _session(history=tmp_path / "project_history.json")
    assert s.context["culprits"].empty
    assert s.context_notes["culprits"].startswith("not available: the history could not be loaded")
    assert "project_history.json:1: invalid JSON" in s.context_notes["culprits"]
    assert not s.context["drift"].empty  # the other inputs still count


def test_timeline_and_times() -> None:
    s = _session()
    assert s.acknowledged_at is None and s.time_to_acknowledge is None
    s.run(5)  # kubectl top pods (dry run)
    s.note("p95 is 4s", step=5)
    s.skip(8, reason="breaker script missing")
    mitigation = s.steps_frame.index[s.steps_frame["stage"] == "mitigation"]
    s.run(int(mitigation[1]))
    s.done(int(mitigation[1]), note="rolled back to 2026.11.2")
    s.resolve("Rolled back api to 2026.11.2; latency normal.")
    t = s.timeline
    assert str(t["at"].dt.tz) == "UTC"
    assert list(t["kind"]) == [
        "start",
        "acknowledge",
        "command",
        "note",
        "skip",
        "command",
        "done",
        "resolved",
    ]
    assert t.loc[2, "command"] == ["kubectl", "top", "pods", "-n", "prod"]
    assert t.loc[2, "status"] == "dry-run" and pd.isna(t.loc[2, "exit_code"])
    assert t.loc[3, "note"] == "p95 is 4s" and t.loc[3, "step"] == 5
    assert s.time_to_acknowledge == pd.Timedelta(minutes=2)
    assert s.time_to_mitigate == pd.Timedelta(minutes=12)
    assert s.time_to_resolve == pd.Timedelta(minutes=14)
    status = s.status()
    assert status.loc[8, "status"] == "skipped" and status.loc[int(mitigation[1]), "status"] == "done"
    assert status.loc[0, "status"] == "pending"


def test_bad_parameters() -> None:
    with pytest.raises(ParameterError, match="no step 99"):
        _session().run(99)
    with pytest.raises(ParameterError, match="severity"):
        _session(severity="critical")
    assert _session(severity="1").severity == "SEV1"
    with pytest.raises(ParameterError, match="service"):
        _session(service="")
    with pytest.raises(ParameterError, match="started_at"):
        _session(started_at="yesterday-ish")
    with pytest.raises(ParameterError, match="category"):
        _session().note("x", category="blame")


def test_postmortem_sections_present_and_filled(tmp_path: Path) -> None:
    s = _session(out_dir=tmp_path)
    s.walk()
    s.skip(0, reason="alert already confirmed")
    s.note("Checkout error rate was 12% for 40 minutes", category="impact")
    s.note("The canary caught nothing: it ran on 1% traffic", category="badly")
    s.note("The rollback was one command", category="well")
    s.note("Traffic was low: it was a Sunday", category="lucky")
    s.action_item("Add a latency gate to the api canary", owner="backend-developer", due="2026-12-01")
    s.resolve("Rolled back api to 2026.11.2.")
    text = s.postmortem()
    positions = [text.index(f"\n## {name}\n") for name in SECTIONS]
    assert positions == sorted(positions)
    bodies = {name: text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0].strip() for name in SECTIONS}
    for name, body in bodies.items():
        assert body, name
    assert "Deploy api 2026.11.3 to prod" in bodies["Summary"]
    assert "Checkout error rate was 12%" in bodies["Impact"] and "prod/us-east-1/prod/alb" in bodies["Impact"]
    assert "kubectl rollout undo deployment/api -n prod" in bodies["Timeline"]
    assert "Deploy api 2026.11.3 to prod" in bodies["Root cause and contributing factors"]
    assert "Raise rds max_connections" in bodies["Root cause and contributing factors"]
    assert "Drift in `prod/us-east-1/prod/rds`" in bodies["Root cause and contributing factors"]
    assert "Alert: Response time > 1s" in bodies["Detection"]
    assert "Rolled back api to 2026.11.2." in bodies["Resolution"]
    assert "The rollback was one command" in bodies["What went well"]
    assert "Step 0 was skipped" in bodies["What went badly"]
    assert "Sunday" in bodies["Where we got lucky"]
    items = bodies["Action items"]
    assert "| Add a latency gate to the api canary | backend-developer | 2026-12-01 |" in items
    assert "Review the likely trigger (culprit)" in items and "| devops-engineer |" in items
    assert "Reconcile drift in `prod/us-east-1/prod/rds`" in items
    assert "dry run" in text
    path = s.write_postmortem()
    assert path == tmp_path / "postmortem-INC-42.md" and path.read_text() == s.postmortem()


def test_postmortem_masks_nothing_it_should_not_and_escapes_tables(tmp_path: Path) -> None:
    s = _session(out_dir=tmp_path, incident_id="INC/7 | x")
    s.note("a | pipe")
    assert "a \\| pipe" in s.postmortem()
    assert s.write_postmortem().name == "postmortem-INC-7-x.md"


def test_log_to_history_records_incident_and_resolution(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[Path, dict[str, Any]]] = []

    def fake_log_activity(
        folder: Path,
        *,
        agent: str,
        action_type: str,
        description: str,
        status: str,
        tags: list[str] | None = None,
        follow_up: list[str] | None = None,
        timestamp: Any = None,
    ) -> dict[str, Any]:
        calls.append(
            (
                folder,
                {
                    "agent": agent,
                    "action_type": action_type,
                    "description": description,
                    "status": status,
                    "tags": tags,
                    "follow_up": follow_up,
                    "timestamp": timestamp,
                },
            )
        )
        return calls[-1][1]

    # setitem, not setattr: reading the old value through opslib.__getattr__ would import the writer
    monkeypatch.setitem(vars(opslib), "log_activity", fake_log_activity)
    s = _session()
    s.walk()
    s.resolve("rolled back")
    entries = s.log_to_history(tmp_path)
    assert [e["action_type"] for e in entries] == ["escalation", "resolution"]
    assert calls[0][0] == tmp_path
    assert "INC-42" in entries[0]["description"] and "incident" in entries[0]["tags"]
    assert entries[1]["status"] == "completed" and entries[1]["follow_up"]
    assert pd.Timestamp(entries[0]["timestamp"]) == START


def test_log_to_history_with_real_writer(tmp_path: Path) -> None:
    s = _session()
    s.walk()
    s.resolve("rolled back")
    s.log_to_history(tmp_path)
    log = opslib.load_history(tmp_path)
    assert {"escalation", "resolution"} <= set(log["action_type"])
    assert log["description"].str.contains("INC-42").all()


def test_sample_data_culprit_when_present() -> None:
    project = ROOT / "data" / "sample" / "project"
    assert (project / "project_history.json").is_file(), "committed sample history missing"
    tree = ROOT / "data" / "sample" / "infrastructure-live"
    s = IncidentSession(
        RUNBOOK,
        incident_id="INC-2026-1118-api",
        service="api",
        namespace="prod",
        started_at="2026-11-18T16:00:00Z",
        history=project,
        tree=tree,
    )
    top = s.context["culprits"].iloc[0]
    assert top["id"] == "20261118-140237-devops_engineer"
    assert "2026.11.3" in top["description"] and top["match"] == "unit"
    assert top["hours_before"] == pytest.approx(2.0, abs=0.1)
