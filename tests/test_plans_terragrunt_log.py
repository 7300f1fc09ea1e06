"""``load_plans`` on the console output of ``terragrunt run --all plan -json`` (prefixed lines)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from opslib.errors import ParseError
from opslib.plans import exit_code, load_plans, plan_errors, summary

PLANS = Path(__file__).parent / "fixtures" / "plan_formats"
CONSOLE = PLANS / "terragrunt-console-plan.log"
DB, QUEUE, DNS = "prod/eu-west-1/prod/ledger-db", "prod/eu-west-1/prod/queue", "prod/eu-west-1/prod/edge-dns"


def _msg(mtype: str, **extra: object) -> str:
    return json.dumps({"@level": "info", "@message": mtype, "type": mtype, **extra})


def _version() -> str:
    return _msg("version", terraform="1.9.8", ui="1.2")


def _create(addr: str) -> str:
    rtype, name = addr.split(".")
    res = {"addr": addr, "module": "", "resource": addr, "resource_type": rtype, "resource_name": name}
    return _msg("planned_change", change={"resource": res, "action": "create"})


def test_console_log_rows_belong_to_their_units() -> None:
    frame = load_plans(CONSOLE, strict=True)
    assert frame.attrs["errors"] == []
    assert Counter(zip(frame["unit"], frame["kind"], frame["action"], strict=True)) == Counter(
        {
            (DB, "planned", "create"): 1,
            (DB, "planned", "update"): 1,
            (DB, "planned", "replace"): 1,
            (QUEUE, "drift", "update"): 1,
        }
    )
    rows = frame.set_index("address")
    assert rows.loc["aws_security_group.ledger_db", "action_reason"] == "replace_because_cannot_update"
    assert set(frame["source_file"]) == {str(CONSOLE)}
    plans = {p["unit"]: p for p in frame.attrs["plans"]}
    assert set(plans) == {DB, QUEUE, DNS}
    assert {p["form"] for p in plans.values()} == {"plan-log"}
    assert {p["terraform_version"] for p in plans.values()} == {"1.9.8"}
    # 4 INFO/WARN/ERROR lines, 6 unprefixed continuation lines, 3 STDERR lines of the tool
    assert frame.attrs["terragrunt_log_lines"] == 13


def test_console_log_summary_and_exit_code_per_unit() -> None:
    frame = load_plans(CONSOLE)
    table = summary(frame).set_index("unit")
    assert table.loc[DB, ["add", "change", "destroy", "replace"]].tolist() == [2, 1, 1, 1]
    assert table["exit_code"].to_dict() == {DB: 2, QUEUE: 0, DNS: 1}
    assert table["errored"].to_dict() == {DB: False, QUEUE: False, DNS: True}
    assert table.loc[QUEUE, "drift"] == 1
    assert exit_code(frame) == 1


def test_broken_prefixed_line_is_reported_with_its_line(tmp_path: Path) -> None:
    lines = CONSOLE.read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if "aws_db_instance.ledger" in line)
    lines[cut] = lines[cut][: len(lines[cut]) // 2]  # terragrunt cut a long line
    log = tmp_path / "console.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")

    frame = load_plans(log)
    errors = plan_errors(frame)
    assert errors[["path", "line"]].values.tolist() == [[str(log), cut + 1]]
    assert "invalid JSON" in errors.loc[0, "message"]
    assert "aws_db_instance.ledger" not in set(frame["address"])
    assert len(frame) == 3  # the other rows are kept
    complete = {p["unit"]: p["complete"] for p in frame.attrs["plans"]}
    assert complete == {DB: False, QUEUE: None, DNS: None}

    with pytest.raises(ParseError) as info:
        load_plans(log, strict=True)
    assert info.value.line == cut + 1


def test_older_prefixes_and_tree_root(tmp_path: Path) -> None:
    root = tmp_path / "live"
    ids = ["prod/app", "prod/db", "dev/app"]
    tree = SimpleNamespace(root=root, units=ids)
    log = tmp_path / "run-all.log"
    log.write_text(
        "\n".join(
            [
                f"[terragrunt] [{root}/prod/app] 2026/11/19 09:14:37 Running command: terraform plan -json",
                f"[{root}/prod/app] terraform: {_version()}",
                f"[{root}/prod/app] terraform: {_create('aws_s3_bucket.assets')}",
                # --terragrunt-include-module-prefix without the tool name; run from above the root
                f"[live/prod/db] {_create('aws_db_instance.main')}",
                # colours left on
                f"\x1b[0m[./dev/app] tofu: {_create('aws_sqs_queue.jobs')}",
                "[terragrunt] 2026/11/19 09:14:39 Encountered no errors",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    frame = load_plans(log, tree=tree, strict=True)
    got = dict(zip(frame["address"], frame["unit"], strict=True))
    assert got == {
        "aws_s3_bucket.assets": "prod/app",
        "aws_db_instance.main": "prod/db",
        "aws_sqs_queue.jobs": "dev/app",
    }
    assert frame.attrs["terragrunt_log_lines"] == 2

    # without a tree the bracketed path is the unit as written (a leading ./ dropped)
    plain = load_plans(log, strict=True)
    assert set(plain["unit"]) == {f"{root.as_posix()}/prod/app", "live/prod/db", "dev/app"}


def test_plain_terraform_logs_unchanged(tmp_path: Path) -> None:
    frame = load_plans(PLANS / "hand-tofu-plan-replace.log", strict=True)
    assert set(frame["unit"]) == {"hand-tofu-plan-replace"}
    assert frame.attrs["terragrunt_log_lines"] == 0
    # outside a terragrunt log a stray non-JSON line is still an error, with its line
    log = tmp_path / "plan.log"
    log.write_text(f"{_version()}\n╷\n{_create('aws_s3_bucket.logs')}\n", encoding="utf-8")
    mixed = load_plans(log)
    assert plan_errors(mixed)["line"].tolist() == [2]
    assert mixed["address"].tolist() == ["aws_s3_bucket.logs"]
    assert mixed.attrs["terragrunt_log_lines"] == 0
