"""Input formats: plans, terragrunt run reports and infracost output, in every shape we support.

The fixtures are ours: ``tests/fixtures/plan_formats`` (produced by our terraform binary from the
configurations in its ``regen.sh`` and in this file, or written by hand where the binary cannot
produce the shape), ``run_report_formats`` and ``infracost_formats`` (written by us in the documented
formats; see each README). The ``terraform``-marked tests run the installed binary on builtin
``terraform_data`` resources.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from opslib import load_costs, load_plans, load_run_report
from opslib.errors import OpslibError
from opslib.secrets import is_masked

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = FIXTURES / "plan_formats"
RUNS = FIXTURES / "run_report_formats"

# what each real plan must load as: row counts per (kind, action), indexes, moves, flags, secrets
EXPECTED: dict[str, dict[str, Any]] = {
    "tf1.11-show-moved-update.json": {
        "actions": {("planned", "update"): 1},
        "terraform_version": "1.11.4",
        "previous": {"terraform_data.queue": "terraform_data.queue_old"},
        "changed": {"terraform_data.queue": ["input", "output"]},
    },
    "hand-show-moved-drift.json": {
        "actions": {("planned", "update"): 2, ("drift", "update"): 1},
        "format_version": "1.0",
        "previous": {"terraform_data.ledger": "terraform_data.ledger_old"},
        "changed": {"terraform_data.archive": ["input", "output"]},
    },
    "tf1.11-show-sensitive-create.json": {
        "actions": {("planned", "create"): 1},
        "secrets": ["T0ken-ours-7781"],
        "output_changes": 1,
        "masked": [("terraform_data.token", ("after", "input"))],
        "changed": {"terraform_data.token": ["id", "input", "output"]},
    },
    "hand-show-0.2-requires-replace.json": {
        "actions": {("planned", "replace"): 1},
        "format_version": "0.2",
        "actions_lists": {"null_resource.gateway": ["delete", "create"]},
        "replace_paths": {"null_resource.gateway": ["triggers"]},
        "reason": {"null_resource.gateway": "replace_because_cannot_update"},
    },
    "tf1.11-show-errored.json": {"actions": {}, "errored": True, "applyable": False},
    "tf1.11-plan-errored.log": {
        "actions": {},
        "form": "plan-log",
        "errored": True,
        "applyable": False,
        "terraform_version": "1.11.4",
    },
    "tf1.11-show-modules-count.json": {
        "actions": {("planned", "create"): 4},
        "indexes": {
            "module.db.terraform_data.primary": None,
            "module.web.terraform_data.node[0]": 0,
            "module.web.terraform_data.node[2]": 2,
        },
        "modules": {"module.web": 3, "module.db": 1},
        "output_changes": 1,
    },
    "hand-show-0.1-count.json": {
        "actions": {("planned", "no-op"): 1, ("planned", "create"): 1},
        "format_version": "0.1",
        "indexes": {"null_resource.shard[0]": 0, "null_resource.shard[1]": 1},
        "output_changes": 0,  # the only output change is a no-op
    },
    "tf1.11-show-unknown-outputs.json": {"actions": {}, "output_changes": 3},
    "tf1.11-show-data-reads.json": {
        "actions": {("planned", "read"): 3, ("planned", "create"): 1},
        "modes": {"data": 3, "managed": 1},
        "indexes": {
            "data.terraform_remote_state.shared[0]": 0,
            'module.peers.data.terraform_remote_state.peer["net-east"]': "net-east",
        },
        "reason": {
            "data.terraform_remote_state.shared[0]": "read_because_config_unknown",
            'module.peers.data.terraform_remote_state.peer["net-west"]': "read_because_dependency_pending",
        },
    },
    "hand-plan-log-for-each.log": {
        "actions": {("planned", "create"): 2},
        "form": "plan-log",
        "indexes": {
            "terraform_data.firewall": None,
            'terraform_data.rule["ssh-bastion"]': "ssh-bastion",
        },
    },
    "tf1.11-show-generated.json": {
        "actions": {
            ("planned", "no-op"): 4,
            ("planned", "delete"): 1,
            ("planned", "replace"): 2,
            ("planned", "update"): 1,
            ("planned", "create"): 1,
        },
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "secrets": ["hunter2-s3cr3t-value", "n3w-hunter2-value"],
        "masked": [("terraform_data.secret", ("after", "input"))],
        "previous": {"terraform_data.moved_to": "terraform_data.renamed"},
        "actions_lists": {
            "terraform_data.rotated": ["delete", "create"],
            "terraform_data.rotated_cbd": ["create", "delete"],
        },
        "indexes": {
            "terraform_data.counted[1]": 1,
            'module.app.terraform_data.item["gamma"]': "gamma",
            "terraform_data.secret": None,
        },
        "reason": {
            "terraform_data.counted[1]": "delete_because_count_index",
            "terraform_data.rotated": "replace_because_cannot_update",
        },
        "changed": {"terraform_data.rotated": ["id", "output", "triggers_replace[0]"]},
        "output_changes": 2,
    },
    "tf1.11-show-nested-sensitive.json": {
        "actions": {("planned", "create"): 2},
        # sensitive inside a map and a list, a whole sensitive object, and a copy in a plain output
        "secrets": ["Nested-p4ss-xyz", "Listed-s3cret-q", "Whole-t0ken-abc"],
        "masked": [
            ("terraform_data.whole", ("after", "input")),
            ("terraform_data.nested", ("after", "input", "pass")),
            ("terraform_data.nested", ("after", "input", "list", 1)),
        ],
        "plain": [("terraform_data.nested", ("after", "input", "user"), "admin")],
        "output_changes": 1,
    },
    "tf1.11-plan-generated.log": {
        "actions": {
            ("planned", "no-op"): 1,
            ("planned", "delete"): 1,
            ("planned", "replace"): 2,
            ("planned", "update"): 1,
            ("planned", "create"): 1,
        },
        "form": "plan-log",
        "terraform_version": "1.11.4",
        "secrets": ["hunter2-s3cr3t-value", "n3w-hunter2-value"],
        "previous": {"terraform_data.moved_to": "terraform_data.renamed"},
        "indexes": {"terraform_data.counted[1]": 1, 'module.app.terraform_data.item["gamma"]': "gamma"},
        "reason": {
            "terraform_data.counted[1]": "delete_because_count_index",
            "terraform_data.rotated": "replace_because_cannot_update",
        },
        "output_changes": 2,
    },
    "hand-tofu-plan-errored.log": {
        "actions": {},
        "form": "plan-log",
        "errored": True,
        "applyable": False,
        "terraform_version": "1.6.2",  # read from the "tofu" version key
    },
    "hand-tofu-plan-replace.log": {
        "actions": {("planned", "replace"): 2},
        "form": "plan-log",
        "terraform_version": "1.6.2",
        # the UI's own reason names, read as show -json writes them
        "reason": {
            "terraform_data.scheduler": "replace_because_cannot_update",
            "terraform_data.cache": "replace_by_request",
        },
    },
    "hand-tofu-plan-drift.log": {
        "actions": {("drift", "update"): 1, ("drift", "delete"): 1, ("planned", "update"): 1},
        "form": "plan-log",
        "applyable": True,
    },
    "tf1.11-show-refresh-only.json": {
        "actions": {("drift", "no-op"): 1},
        "applyable": False,
        "secrets": ["hunter2-s3cr3t-value"],
        "previous": {"terraform_data.moved_to": "terraform_data.renamed"},
    },
    "tf1.11-plan-refresh-only.log": {
        "actions": {("drift", "no-op"): 1},
        "form": "plan-log",
        "previous": {"terraform_data.moved_to": "terraform_data.renamed"},
    },
}


# many units in one file, tested in tests/test_plans_terragrunt_log.py
CONSOLE_LOGS = {"terragrunt-console-plan.log"}
EXPECTED_ROWS = {name: sum(exp["actions"].values()) for name, exp in EXPECTED.items()}


def _by_address(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The planned row of each address (the drift row when there is none)."""
    out: dict[str, dict[str, Any]] = {}
    for row in frame.sort_values("kind", ascending=False).to_dict("records"):
        out[str(row["address"])] = row
    return out


def _dig(value: Any, steps: tuple[str | int, ...]) -> Any:
    for step in steps:
        value = value[step]
    return value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def test_every_fixture_has_expectations() -> None:
    files = sorted(p.name for p in PLANS.iterdir() if p.name not in {"README.md", "regen.sh", *CONSOLE_LOGS})
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_plan(name: str) -> None:
    exp = EXPECTED[name]
    frame = load_plans(PLANS / name, strict=True)
    plan = frame.attrs["plans"][0]
    assert frame.attrs["errors"] == []
    assert Counter(zip(frame["kind"], frame["action"], strict=True)) == Counter(exp["actions"])
    assert plan["form"] == exp.get("form", "show-json")
    assert plan["errored"] is exp.get("errored", False)
    for key in ("format_version", "terraform_version", "output_changes", "applyable"):
        if key in exp:
            assert plan[key] == exp[key], key
    rows = _by_address(frame)
    for address, index in exp.get("indexes", {}).items():
        got = rows[address]["index"]
        if index is None:
            assert _missing(got), (address, got)
        else:
            # a count index stays an int and a for_each key a string (no 0 -> 0.0)
            assert type(got) is type(index) and got == index, (address, got)
    for address, previous in exp.get("previous", {}).items():
        assert rows[address]["previous_address"] == previous
    moved = set(exp.get("previous", {}))
    assert all(_missing(r["previous_address"]) for a, r in rows.items() if a not in moved)
    for address, actions in exp.get("actions_lists", {}).items():
        assert list(rows[address]["actions"]) == actions
    for address, paths in exp.get("replace_paths", {}).items():
        assert list(rows[address]["replace_paths"]) == paths
    for address, paths in exp.get("changed", {}).items():
        assert list(rows[address]["changed_paths"]) == paths
    for address, reason in exp.get("reason", {}).items():
        assert rows[address]["action_reason"] == reason
    for address, steps in exp.get("masked", []):
        assert is_masked(_dig(rows[address], steps)), (address, steps)
    for address, steps, plain in exp.get("plain", []):
        assert _dig(rows[address], steps) == plain
    if "modules" in exp:
        assert frame["module_address"].value_counts().to_dict() == exp["modules"]
    if "modes" in exp:
        assert frame["mode"].value_counts().to_dict() == exp["modes"]
    text = frame.to_string() + json.dumps(frame.to_dict("records"), default=str) + str(frame.attrs)
    for secret in exp.get("secrets", []):
        assert secret not in text


def test_real_plans_folder() -> None:
    """The whole folder at once: one plan entry a file, no errors, every row has a unit."""
    frame = load_plans(PLANS, strict=True)
    frame.attrs["plans"] = [
        p for p in frame.attrs["plans"] if Path(p["source_file"]).name not in CONSOLE_LOGS
    ]
    frame = frame[~frame["source_file"].map(lambda f: Path(f).name in CONSOLE_LOGS)]
    assert len(frame.attrs["plans"]) == len(EXPECTED)
    assert frame.attrs["errors"] == []
    assert len(frame) == sum(sum(e["actions"].values()) for e in EXPECTED.values())
    assert frame["unit"].notna().all()


def test_broken_real_plan_names_file_and_position(tmp_path: Path) -> None:
    doc = json.loads((PLANS / "tf1.11-show-modules-count.json").read_text())
    doc["resource_changes"][2]["change"]["actions"] = ["explode"]
    doc["output_changes"] = ["not", "an", "object"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    frame = load_plans(bad)
    assert len(frame) == 0 and frame.attrs["plans"][0]["errored"] is True
    (error,) = frame.attrs["errors"]
    assert error["path"] == str(bad) and error["message"] == "output_changes: expected an object, not list"
    with pytest.raises(OpslibError, match=r"bad\.json"):
        load_plans(bad, strict=True)
    doc["output_changes"] = {}
    bad.write_text(json.dumps(doc))
    frame = load_plans(bad)
    assert len(frame) == 3
    assert "resource_changes[2]" in frame.attrs["errors"][0]["message"]


def test_truncated_plan_log_names_line(tmp_path: Path) -> None:
    lines = (PLANS / "tf1.11-plan-generated.log").read_text().splitlines()
    bad = tmp_path / "plan.log"
    assert '"planned_change"' in lines[17]  # line 18: terraform_data.secret: Plan to update
    bad.write_text("\n".join([*lines[:17], lines[17][:40], *lines[18:]]) + "\n")
    with pytest.raises(OpslibError) as info:
        load_plans(bad, strict=True)
    assert info.value.line == 18 and "plan.log" in str(info.value)
    frame = load_plans(bad)  # lenient: the other messages still count
    assert len(frame) == EXPECTED_ROWS["tf1.11-plan-generated.log"] - 1
    assert "terraform_data.secret" not in set(frame["address"])
    assert [e["line"] for e in frame.attrs["errors"]] == [18]
    assert frame.attrs["plans"][0]["complete"] is False


# what Terraform 1.11 writes to stderr without a CLI config file; `plan -json > log 2>&1` keeps it
_STDERR_BOX = """There are some problems with the CLI configuration:
╷
│ Warning: Unable to open CLI configuration file
│
│ The CLI configuration file at "/root/.terraformrc" does not exist.
╵

"""


def test_plan_log_with_stderr_mixed_in(tmp_path: Path) -> None:
    log = tmp_path / "plan.log"
    log.write_text(_STDERR_BOX + (PLANS / "tf1.11-plan-generated.log").read_text(), encoding="utf-8")
    frame = load_plans(log)
    assert len(frame) == EXPECTED_ROWS["tf1.11-plan-generated.log"]
    assert [e["line"] for e in frame.attrs["errors"]] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(OpslibError, match=r"plan\.log:1:"):
        load_plans(log, strict=True)


# --------------------------------------------------------------------------- run reports


def test_run_report_csv_first_release_layout() -> None:
    runs = load_run_report(RUNS / "terragrunt-report.csv", strict=True)
    assert Counter(runs["result"]) == {"excluded": 2, "failed": 2, "succeeded": 2, "early exit": 2}
    failed = runs[runs["result"] == "failed"]
    assert set(failed["reason"]) == {"run error"} and set(failed["duration_s"]) == {1.0}
    assert runs["started"].dt.tz is not None
    assert str(runs["started"].iloc[0]) == "2026-09-14 12:03:10+00:00"  # -04:00 read as UTC
    assert runs["source_line"].tolist() == list(range(2, 10))


def test_run_report_json_lower_case_keys() -> None:
    runs = load_run_report(RUNS / "terragrunt-report.json", strict=True)
    assert runs["unit"].tolist() == ["dns-skip", "network-skip", "queue-ok"]
    assert runs["duration_s"].iloc[2] == pytest.approx(0.221247)
    assert runs["duration_s"].iloc[0] == pytest.approx(0.000001)  # 5-digit fractions kept exact
    assert runs["result"].tolist() == ["excluded", "excluded", "succeeded"]


def test_run_report_bad_bytes_name_line(tmp_path: Path) -> None:
    data = (RUNS / "terragrunt-report.csv").read_bytes()
    bad = tmp_path / "r.csv"
    bad.write_bytes(data.replace(b"queue-broken", b"queue-\xf7roken"))
    with pytest.raises(OpslibError) as info:
        load_run_report(bad, strict=True)
    assert info.value.line == 4
    assert load_run_report(bad).attrs["errors"][0]["line"] == 4


def test_run_report_json_bad_bytes_name_line(tmp_path: Path) -> None:
    data = (RUNS / "terragrunt-report.json").read_bytes()
    bad = tmp_path / "r.json"
    bad.write_bytes(data.replace(b"queue-ok", b"queue-\xffk"))
    with pytest.raises(OpslibError, match=r"r\.json.*UTF-8"):
        load_run_report(bad, strict=True)


# --------------------------------------------------------------------------- infracost


COSTS = FIXTURES / "infracost_formats" / "breakdown-new-project.json"


def test_infracost_sections() -> None:
    now = load_costs(COSTS, strict=True)
    assert now["address"].tolist() == ["aws_instance.queue_a", "aws_instance.queue_b"]
    assert now["monthly_cost"].sum() == pytest.approx(369.6)
    assert set(now["resource_type"]) == {"aws_instance"}
    assert now["components"].tolist() == [4, 4]  # nested subresource components counted
    parts = load_costs(COSTS, level="component", section="diff", strict=True)
    assert len(parts) == 8
    assert set(parts["subresource"].dropna()) == {"root_block_device", "ebs_block_device[0]"}
    assert len(load_costs(COSTS, section="past", strict=True)) == 0


def test_infracost_malformed_lists_are_errors(tmp_path: Path) -> None:
    doc = json.loads(COSTS.read_text())
    doc["projects"][0]["breakdown"]["resources"][0]["subresources"] = 7
    doc["projects"][0]["diff"]["resources"] = "oops"
    bad = tmp_path / "ic.json"
    bad.write_text(json.dumps(doc))
    costs = load_costs(bad)
    assert costs["monthly_cost"].sum() == pytest.approx(369.6)  # the resource totals still count
    assert any("subresources: expected a list" in e["message"] for e in costs.attrs["errors"])
    assert len(load_costs(bad, section="diff")) == 0
    with pytest.raises(OpslibError, match="expected a list"):
        load_costs(bad, strict=True)
    bad.write_bytes(COSTS.read_bytes().replace(b"queue_b", b"queue_\xff"))
    with pytest.raises(OpslibError, match="UTF-8"):
        load_costs(bad)


# --------------------------------------------------------------------------- the real binary

_MODULE = """
variable "names" { type = set(string) }
resource "terraform_data" "item" {
  for_each = var.names
  input    = each.key
}
"""

_CONFIG = """
variable "db_password" {
  type      = string
  sensitive = true
  default   = "hunter2-s3cr3t-value"
}
variable "gen" {
  type    = number
  default = 1
}
resource "terraform_data" "counted" {
  count = COUNT
  input = "n-${count.index}"
}
resource "terraform_data" "secret" {
  input = var.db_password
}
resource "terraform_data" "RENAMED" {
  input = "same"
}
resource "terraform_data" "rotated" {
  input            = "fixed"
  triggers_replace = [var.gen]
}
resource "terraform_data" "rotated_cbd" {
  input            = "fixed"
  triggers_replace = [var.gen]
  lifecycle {
    create_before_destroy = true
  }
}
module "app" {
  source = "./modules/app"
  names  = NAMES
}
output "password" {
  value     = var.db_password
  sensitive = true
}
"""

_MOVED = """
moved {
  from = terraform_data.renamed
  to   = terraform_data.moved_to
}
"""

needs_terraform = pytest.mark.skipif(shutil.which("terraform") is None, reason="no terraform binary on PATH")


def _tf(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": "/dev/null",
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
    }
    done = subprocess.run(
        ["terraform", *args, "-input=false", "-no-color"] if args[0] != "show" else ["terraform", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def tf_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config applied once, then changed: every kind of change the binary can plan offline."""
    if shutil.which("terraform") is None:
        pytest.skip("no terraform binary on PATH")
    work = tmp_path_factory.mktemp("tf")
    (work / "modules" / "app").mkdir(parents=True)
    (work / "modules" / "app" / "main.tf").write_text(_MODULE)
    config = _CONFIG.replace("COUNT", "2").replace("NAMES", '["alpha", "beta"]')
    (work / "main.tf").write_text(config.replace("RENAMED", "renamed"))
    _tf(work, "init")
    _tf(work, "apply", "-auto-approve")
    config = _CONFIG.replace("COUNT", "1").replace("NAMES", '["alpha", "beta", "gamma"]')
    (work / "main.tf").write_text(config.replace("RENAMED", "moved_to") + _MOVED)
    return work


_VARS = ("-var", "gen=2", "-var", "db_password=n3w-hunter2-value")


def _check_generated(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    planned = frame[frame["kind"] == "planned"]
    rows = _by_address(planned)
    assert rows["terraform_data.counted[1]"]["action"] == "delete"
    assert rows["terraform_data.counted[1]"]["index"] == 1
    assert rows['module.app.terraform_data.item["gamma"]']["action"] == "create"
    assert rows['module.app.terraform_data.item["gamma"]']["index"] == "gamma"
    assert rows['module.app.terraform_data.item["gamma"]']["module_address"] == "module.app"
    assert rows["terraform_data.rotated"]["action"] == "replace"
    assert rows["terraform_data.rotated_cbd"]["action"] == "replace"
    assert rows["terraform_data.secret"]["action"] == "update"
    assert rows["terraform_data.moved_to"]["previous_address"] == "terraform_data.renamed"
    text = frame.to_string() + json.dumps(frame.to_dict("records"), default=str) + str(frame.attrs)
    assert "hunter2" not in text
    return rows


@pytest.mark.terraform
@needs_terraform
def test_terraform_show_json(tf_workdir: Path) -> None:
    _tf(tf_workdir, "plan", "-out=tfplan", *_VARS)
    (tf_workdir / "plan.json").write_text(_tf(tf_workdir, "show", "-json", "tfplan"))
    frame = load_plans(tf_workdir / "plan.json", strict=True)
    rows = _check_generated(frame)
    assert list(rows["terraform_data.rotated"]["actions"]) == ["delete", "create"]
    assert list(rows["terraform_data.rotated_cbd"]["actions"]) == ["create", "delete"]
    assert is_masked(rows["terraform_data.secret"]["after"]["input"])
    assert is_masked(rows["terraform_data.secret"]["before"]["input"])
    assert "triggers_replace[0]" in rows["terraform_data.rotated"]["changed_paths"]
    assert frame.attrs["plans"][0]["output_changes"] == 1  # the password output
    assert frame.attrs["plans"][0]["applyable"] is True


@pytest.mark.terraform
@needs_terraform
def test_terraform_plan_json_log(tf_workdir: Path) -> None:
    (tf_workdir / "plan.log").write_text(_tf(tf_workdir, "plan", "-json", *_VARS))
    frame = load_plans(tf_workdir / "plan.log", strict=True)
    rows = _check_generated(frame)
    assert rows["terraform_data.moved_to"]["actions"] == ["move"]
    assert frame.attrs["plans"][0]["form"] == "plan-log"


@pytest.mark.terraform
@needs_terraform
def test_terraform_refresh_only_and_deposed(tf_workdir: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"  # a copy: the state is edited below
    shutil.copytree(tf_workdir, work, symlinks=True)
    tf_workdir = work
    _tf(tf_workdir, "plan", "-refresh-only", "-out=ro.tfplan")
    (tmp_path / "ro.json").write_text(_tf(tf_workdir, "show", "-json", "ro.tfplan"))
    ro = load_plans(tmp_path / "ro.json", strict=True)
    assert set(ro["kind"]) == {"drift"} and set(ro["action"]) == {"no-op"}
    assert ro.attrs["plans"][0]["applyable"] is False
    assert "hunter2" not in ro.to_string() + str(ro.to_dict("records"))
    # a deposed object (a create_before_destroy whose destroy failed), written into the state by hand
    state_file = tf_workdir / "terraform.tfstate"
    state = json.loads(state_file.read_text())
    for res in state["resources"]:
        if res.get("name") == "rotated_cbd":
            res["instances"].append({**res["instances"][0], "deposed": "00000001"})
    state["serial"] += 1
    state_file.write_text(json.dumps(state))
    _tf(tf_workdir, "plan", "-out=dep.tfplan", *_VARS)
    (tmp_path / "dep.json").write_text(_tf(tf_workdir, "show", "-json", "dep.tfplan"))
    dep = load_plans(tmp_path / "dep.json", strict=True)
    deposed = dep[dep["deposed"].notna()]
    assert deposed[["address", "action", "deposed"]].values.tolist() == [
        ["terraform_data.rotated_cbd", "delete", "00000001"]
    ]
