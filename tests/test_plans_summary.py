"""Exit codes and counts of ``plans.summary`` on hand-written ``terraform show -json`` documents.

Terraform 1.1 and older write no ``applyable`` key, so opslib judges those plans itself: resource
changes or output changes mean ``-detailed-exitcode`` 2, nothing pending means 0. These tests pin
that judgement, including plans whose only change is an output (a bug once read those as exit 0).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import opslib
from opslib.plans import SUMMARY_COLUMNS, exit_code, summary
from opslib.plans._risk import max_risk, risk_of


def _plan(
    tmp_path: Path,
    name: str,
    *,
    resources: list[tuple[str, list[str]]] | None = None,
    outputs: dict[str, list[str]] | None = None,
    **top: Any,
) -> Path:
    """A show -json document in the 1.0 format: (address, actions) per resource, actions per output."""
    doc: dict[str, Any] = {"format_version": "1.0", "terraform_version": "1.1.9", **top}
    doc["resource_changes"] = [
        {
            "address": address,
            "type": address.split(".")[0],
            "name": address.split(".")[1],
            "change": {"actions": actions, "before": None, "after": {}},
        }
        for address, actions in resources or []
    ]
    doc["output_changes"] = {
        key: {"actions": actions, "before": None, "after": "x"} for key, actions in (outputs or {}).items()
    }
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _row(path: Path) -> pd.Series:
    frame = summary(opslib.load_plans(path, unit="app"))
    assert frame["unit"].tolist() == ["app"]
    return frame.iloc[0]


@pytest.mark.parametrize("action", [["create"], ["update"], ["delete"]])
def test_output_only_change_without_applyable_exits_2(tmp_path: Path, action: list[str]) -> None:
    path = _plan(
        tmp_path, "outputs.json", resources=[("aws_s3_bucket.logs", ["no-op"])], outputs={"url": action}
    )
    row = _row(path)
    assert (row["add"], row["change"], row["destroy"], row["output_changes"]) == (0, 0, 0, 1)
    assert row["exit_code"] == 2
    assert not row["errored"]
    assert exit_code(opslib.load_plans(path)) == 2


def test_no_op_outputs_without_applyable_exit_0(tmp_path: Path) -> None:
    path = _plan(
        tmp_path, "quiet.json", resources=[("aws_s3_bucket.logs", ["no-op"])], outputs={"url": ["no-op"]}
    )
    row = _row(path)
    assert (row["output_changes"], row["exit_code"]) == (0, 0)


def test_resource_change_without_applyable_exits_2(tmp_path: Path) -> None:
    row = _row(_plan(tmp_path, "update.json", resources=[("aws_s3_bucket.logs", ["update"])]))
    assert (row["change"], row["output_changes"], row["exit_code"]) == (1, 0, 2)


def test_applyable_key_is_terraforms_verdict(tmp_path: Path) -> None:
    # terraform 1.2+ says so itself; opslib follows it even where its own count would differ
    said_yes = _plan(tmp_path, "yes.json", resources=[("aws_s3_bucket.logs", ["no-op"])], applyable=True)
    said_no = _plan(tmp_path, "no.json", outputs={"url": ["update"]}, applyable=False)
    assert _row(said_yes)["exit_code"] == 2
    assert _row(said_no)["exit_code"] == 0
    assert _row(said_no)["output_changes"] == 1


def test_errored_plan_exits_1_whatever_it_changes(tmp_path: Path) -> None:
    path = _plan(tmp_path, "err.json", resources=[("aws_s3_bucket.logs", ["create"])], errored=True)
    row = _row(path)
    assert (row["add"], row["errored"], row["exit_code"]) == (1, True, 1)


def test_clean_unit_from_plans_attrs_shows_zeros(tmp_path: Path) -> None:
    (tmp_path / "quiet").mkdir()
    (tmp_path / "busy").mkdir()
    _plan(tmp_path / "quiet", "tfplan.json")
    _plan(tmp_path / "busy", "tfplan.json", resources=[("aws_sqs_queue.jobs", ["create"])])
    frame = summary(opslib.load_plans(tmp_path)).set_index("unit")
    quiet = frame.loc["quiet"].to_dict()
    assert pd.isna(quiet.pop("max_risk"))
    assert quiet == {
        "add": 0,
        "change": 0,
        "destroy": 0,
        "replace": 0,
        "forget": 0,
        "drift": 0,
        "output_changes": 0,
        "errored": False,
        "exit_code": 0,
    }
    assert frame.loc["busy", "add"] == 1
    assert frame.loc["busy", "exit_code"] == 2
    assert frame.attrs["exit_code"] == 2


def test_rows_without_plan_metadata() -> None:
    # a hand-made or filtered changes frame carries no attrs["plans"]: pending rows alone decide
    changes = pd.DataFrame(
        {
            "unit": ["a", "a", "b"],
            "kind": ["planned", "drift", "planned"],
            "action": ["update", "update", "no-op"],
            "risk": ["medium", "medium", "low"],
        }
    )
    frame = summary(changes).set_index("unit")
    assert frame.loc["a", ["change", "drift", "output_changes", "errored", "exit_code"]].tolist() == [
        1,
        1,
        0,
        False,
        2,
    ]
    assert frame.loc["a", "max_risk"] == "medium"
    assert frame.loc["b", ["change", "output_changes", "errored", "exit_code"]].tolist() == [0, 0, False, 0]
    assert pd.isna(frame.loc["b", "max_risk"])


def test_risk_of_an_unknown_action_is_medium() -> None:
    # an action terraform may add later is judged like an update, not waved through
    assert risk_of("migrate") == "medium"
    assert risk_of(None) == "medium"
    assert risk_of("migrate", "aws_iam_role") == "high"


def test_max_risk_of_nothing_is_none() -> None:
    assert max_risk([]) is None
    assert max_risk(["unknown", None]) is None
    assert max_risk(["low", "critical", "medium"]) == "critical"


def test_summary_of_no_plans_is_an_empty_table_exit_0() -> None:
    empty = pd.DataFrame({"unit": [], "kind": [], "action": [], "risk": []})
    frame = summary(empty)
    assert list(frame.columns) == SUMMARY_COLUMNS and frame.empty
    assert frame.attrs["exit_code"] == 0
    assert exit_code(empty) == 0


def test_hand_made_plan_metadata_without_output_count() -> None:
    # attrs["plans"] written by hand (or by an older opslib) may lack output_changes: none counted
    changes = pd.DataFrame({"unit": [], "kind": [], "action": [], "risk": []})
    changes.attrs["plans"] = [{"unit": "quiet"}, {"unit": "outputs", "output_changes": 2}]
    frame = summary(changes).set_index("unit")
    assert frame.loc["quiet", ["output_changes", "errored", "exit_code"]].tolist() == [0, False, 0]
    assert frame.loc["outputs", ["output_changes", "exit_code"]].tolist() == [2, 2]
