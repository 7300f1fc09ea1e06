"""load_plans on every plan form, replace encoding, nested paths, masking, risk and summary."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import opslib
from opslib._paths import sample_dir
from opslib.errors import ParseError, SchemaError
from opslib.plans import (
    CHANGE_COLUMNS,
    aggregate_exit_code,
    changed_paths,
    exit_code,
    normalize_actions,
    plan_errors,
    risk_category,
    risk_of,
    summary,
)
from opslib.secrets import is_masked

PLANS = Path(__file__).parent / "fixtures" / "plans"
CANARIES = ("CANARY-pl4nted-S3cret", "CANARY-b00tstrap-T0ken")


def by_address(frame: pd.DataFrame, kind: str = "planned") -> dict[str, dict]:
    rows = frame[frame["kind"] == kind]
    return {r["address"]: r for r in rows.to_dict(orient="records")}


# ----------------------------------------------------------------------------- forms


def test_show_json_1_0_columns_and_actions() -> None:
    frame = opslib.load_plans(PLANS / "show-1.0-encodings.json")
    assert list(frame.columns) == CHANGE_COLUMNS
    rows = by_address(frame)
    assert rows["aws_instance.delete_create"]["action"] == "replace"
    assert rows["aws_instance.delete_create"]["actions"] == ["delete", "create"]
    assert rows["aws_eks_node_group.create_delete"]["action"] == "replace"
    assert rows["aws_s3_bucket.create_forget"]["action"] == "replace"
    assert rows["aws_sqs_queue.forgotten"]["action"] == "forget"
    assert rows["data.aws_caller_identity.current"]["action"] == "read"
    assert rows["aws_iam_role.unchanged"]["action"] == "no-op"
    assert rows["aws_lb.gone"]["action_reason"] == "delete_because_no_resource_config"
    assert rows["aws_instance.delete_create"]["replace_paths"] == ["ami"]
    assert rows['aws_cloudwatch_log_group.new["api"]']["index"] == "api"
    assert rows["module.net.aws_security_group.web"]["module_address"] == "module.net"
    assert set(frame["kind"]) == {"planned"}
    assert frame.attrs["plans"][0]["format_version"] == "1.0"
    assert frame.attrs["errors"] == []


def test_nested_changed_paths() -> None:
    rows = by_address(opslib.load_plans(PLANS / "show-1.0-encodings.json"))
    sg = rows["module.net.aws_security_group.web"]
    assert sg["changed_paths"] == ["ingress[0].cidr_blocks[1]", "ingress[1]", 'tags["kubernetes.io/role"]']
    # a create lists the attributes it sets, including the ones known only after apply
    assert rows['aws_cloudwatch_log_group.new["api"]']["changed_paths"] == [
        "arn",
        "id",
        "name",
        "retention_in_days",
    ]
    assert rows["aws_iam_role.unchanged"]["changed_paths"] == []
    assert rows["aws_instance.delete_create"]["changed_paths"] == ["ami", "id"]


def test_changed_paths_unit_cases() -> None:
    assert changed_paths({"a": {"b": [1, 2]}}, {"a": {"b": [1, 3]}}) == ["a.b[1]"]
    assert changed_paths({"a": 1}, {"a": 1}, {"x": True}) == ["x"]
    assert changed_paths(None, None) == []
    assert changed_paths({"m": {"k": 1}}, {"m": None}) == ["m"]
    assert changed_paths({"t": {'we"ird': 1}}, {"t": {'we"ird': 2}}) == ['t["we\\"ird"]']


def test_plan_json_log_form() -> None:
    frame = opslib.load_plans(PLANS / "plan-log.jsonl", unit="prod/us-east-1/prod/eks")
    assert set(frame["unit"]) == {"prod/us-east-1/prod/eks"}
    drift = by_address(frame, "drift")
    assert list(drift) == ["aws_eks_node_group.general"]
    rows = by_address(frame)
    assert rows["module.app.aws_lb.this"]["action"] == "replace"
    assert rows["module.app.aws_lb.this"]["module_address"] == "module.app"
    # the UI reason "cannot_update", read as show -json names it
    assert rows["module.app.aws_lb.this"]["action_reason"] == "replace_because_cannot_update"
    assert rows["aws_sqs_queue.old"]["action"] == "forget"
    assert rows["aws_eks_node_group.general"]["before"] is None
    assert frame.attrs["plans"][0]["form"] == "plan-log"
    assert exit_code(frame) == 2


def test_real_terraform_log_and_show_agree() -> None:
    log = opslib.load_plans(PLANS / "real-plan-log.jsonl")
    shown = opslib.load_plans(sample_dir() / "plans" / "real-terraform" / "tfplan.json")
    key = ["address", "action"]
    left = log[log["action"] != "no-op"][key].sort_values("address").reset_index(drop=True)
    right = shown[shown["action"] != "no-op"][key].sort_values("address").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    assert set(right["action"]) == {"replace", "update", "delete"}
    assert exit_code(log) == exit_code(shown) == 2


def test_errored_log_gives_exit_1() -> None:
    frame = opslib.load_plans(PLANS / "errored-log.jsonl")
    assert frame.empty
    s = summary(frame)
    assert s["exit_code"].tolist() == [1]
    assert s.attrs["exit_code"] == 1


# ----------------------------------------------------------------------------- folders and units


def test_json_out_dir_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(PLANS / "outdir", out)
    cache = out / ".terragrunt-cache" / "x"
    cache.mkdir(parents=True)
    (cache / "tfplan.json").write_text(
        json.dumps(
            {
                "format_version": "1.2",
                "resource_changes": [
                    {"address": "a.b", "type": "a", "name": "b", "change": {"actions": ["create"]}}
                ],
            }
        )
    )
    frame = opslib.load_plans(out)
    units = {p["unit"] for p in frame.attrs["plans"]}
    assert units == {"prod/us-east-1/prod/rds", "non-prod/us-east-1/dev/vpc", "mgmt/_global/iam-roles"}
    s = summary(frame).set_index("unit")
    assert s.loc["prod/us-east-1/prod/rds", "exit_code"] == 2
    assert s.loc["prod/us-east-1/prod/rds", "drift"] == 1
    assert s.loc["prod/us-east-1/prod/rds", "output_changes"] == 1
    assert s.loc["non-prod/us-east-1/dev/vpc", "exit_code"] == 0
    assert s.loc["mgmt/_global/iam-roles", "exit_code"] == 1
    assert s.attrs["exit_code"] == 1


def test_units_matched_to_tree_ids_by_suffix(tmp_path: Path) -> None:
    out = tmp_path / "jsondir" / "live"
    shutil.copytree(PLANS / "outdir", out)
    ids = ["live/prod/us-east-1/prod/rds", "other/unit"]
    frame = opslib.load_plans(tmp_path / "jsondir", tree=ids)
    assert "live/prod/us-east-1/prod/rds" in set(frame["unit"])
    single = opslib.load_plans(
        out / "prod/us-east-1/prod/rds/tfplan.json", tree=pd.DataFrame({"unit": ["prod/us-east-1/prod/rds"]})
    )
    assert set(single["unit"]) == {"prod/us-east-1/prod/rds"}


# ----------------------------------------------------------------------------- errors


def test_bad_json_lenient_and_strict() -> None:
    frame = opslib.load_plans(PLANS / "bad.json")
    errors = plan_errors(frame)
    assert len(errors) == 1
    assert errors.loc[0, "path"].endswith("bad.json")
    assert errors.loc[0, "line"] == 4
    assert summary(frame)["exit_code"].tolist() == [1]
    with pytest.raises(ParseError) as info:
        opslib.load_plans(PLANS / "bad.json", strict=True)
    assert "bad.json:4" in str(info.value)


def test_state_file_is_not_a_plan() -> None:
    with pytest.raises(SchemaError, match="not a Terraform plan"):
        opslib.load_plans(PLANS / "state.json", strict=True)


def test_future_format_rejected() -> None:
    with pytest.raises(SchemaError, match=r"unsupported plan format version '2\.0'"):
        opslib.load_plans(PLANS / "future.json", strict=True)
    assert len(plan_errors(opslib.load_plans(PLANS / "future.json"))) == 1


def test_unknown_action_keeps_other_rows() -> None:
    frame = opslib.load_plans(PLANS / "unknown-action.json")
    assert frame["address"].tolist() == ["aws_sqs_queue.b"]
    assert "teleport" in plan_errors(frame).loc[0, "message"]
    with pytest.raises(SchemaError):
        opslib.load_plans(PLANS / "unknown-action.json", strict=True)


def test_binary_plan_and_missing_path(tmp_path: Path) -> None:
    binary = tmp_path / "tfplan"
    binary.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(ParseError, match="binary plan"):
        opslib.load_plans(binary, strict=True)
    with pytest.raises(ParseError, match="no such file"):
        opslib.load_plans(tmp_path / "nope.json")


def test_normalize_actions() -> None:
    assert normalize_actions(["delete", "create"]) == "replace"
    assert normalize_actions(["create", "delete"]) == "replace"
    assert normalize_actions(["create", "forget"]) == "replace"
    assert normalize_actions(["no-op"]) == "no-op"
    with pytest.raises(ValueError):
        normalize_actions(["update", "delete"])


# ----------------------------------------------------------------------------- masking


def _all_text(frame: pd.DataFrame) -> str:
    return frame.to_json(orient="records", default_handler=str) + repr(frame.to_dict(orient="records"))


def test_masking_marked_and_copies() -> None:
    frame = opslib.load_plans(PLANS / "show-1.2-drift-sensitive.json")
    text = _all_text(frame)
    for canary in CANARIES:
        assert canary not in text
    rows = by_address(frame)
    assert is_masked(rows["aws_rds_cluster.this"]["before"]["master_password"])
    # the sensitive variable's value, copied unmarked into user_data, is masked too
    assert re.search(r"admin:\*{4}#\w{6}@db", rows["aws_instance.bastion"]["after"]["user_data"])
    assert re.search(r"token=\*{4}#\w{6}", rows["aws_instance.bastion"]["after"]["user_data"])
    # terraform_data copies input into output without the mark
    assert is_masked(rows["terraform_data.copy"]["after"]["output"]["secret"])
    # values that are not secret stay readable
    drift = by_address(frame, "drift")["aws_rds_cluster.this"]
    assert drift["after"]["backup_retention_period"] == 1
    assert drift["changed_paths"] == ["backup_retention_period", "tags.Owner"]


def test_masking_real_terraform_plan() -> None:
    path = sample_dir() / "plans" / "real-terraform" / "tfplan.json"
    assert "canary-Sample-Pa55word" in path.read_text()  # the file itself has it in plain text
    frame = opslib.load_plans(path)
    assert "canary-Sample-Pa55word" not in _all_text(frame)
    row = by_address(frame)["terraform_data.database"]
    assert is_masked(row["before"]["output"]["password"])
    assert row["changed_paths"] == ["input.instance_class", "output"]


# ----------------------------------------------------------------------------- risk and summary


@pytest.mark.parametrize(
    ("action", "rtype", "expected"),
    [
        ("create", "aws_s3_bucket", "low"),
        ("update", "aws_s3_bucket", "medium"),
        ("delete", "aws_sqs_queue", "high"),
        ("replace", "aws_instance", "critical"),
        ("create", "aws_db_instance", "medium"),
        ("update", "aws_security_group_rule", "high"),
        ("update", "aws_iam_role_policy", "high"),
        ("delete", "aws_nat_gateway", "critical"),
        ("update", "aws_route53_record", "medium"),
        ("update", "aws_route_table", "high"),
        ("update", "aws_autoscaling_group", "high"),
        ("update", "aws_eks_node_group", "high"),
        ("update", "aws_lambda_function", "high"),
        ("update", "aws_lb_listener", "high"),
        ("no-op", "aws_iam_role", "low"),
        ("read", "aws_iam_policy_document", "low"),
    ],
)
def test_risk_table(action: str, rtype: str, expected: str) -> None:
    assert risk_of(action, rtype) == expected


def test_risk_categories() -> None:
    assert risk_category("aws_rds_cluster") == "database"
    assert risk_category("aws_vpc") == "network"
    assert risk_category("aws_route53_zone") is None
    assert risk_category("aws_ecs_service") == "container"
    rows = by_address(opslib.load_plans(PLANS / "show-1.0-encodings.json"))
    assert rows["module.net.aws_security_group.web"]["risk"] == "high"
    assert rows["aws_lb.gone"]["risk"] == "critical"


def test_summary_counts_like_terraform() -> None:
    frame = opslib.load_plans(PLANS / "show-1.0-encodings.json", unit="u")
    s = summary(frame)
    row = s.iloc[0]
    # 3 replaces + 1 create to add; 1 update; 3 replaces + 1 delete to destroy
    assert (row["add"], row["change"], row["destroy"], row["replace"], row["forget"]) == (4, 1, 4, 3, 1)
    assert row["max_risk"] == "critical"
    assert row["exit_code"] == 2


def test_drift_only_plan_exits_zero(tmp_path: Path) -> None:
    # Terraform: drift with nothing to change is not applyable, so -detailed-exitcode gives 0
    doc = json.loads((PLANS / "show-1.2-drift-sensitive.json").read_text())
    doc["resource_changes"] = [rc for rc in doc["resource_changes"] if rc["change"]["actions"] == ["no-op"]]
    doc["output_changes"] = {}
    doc["applyable"] = False
    path = tmp_path / "drift-only.json"
    path.write_text(json.dumps(doc))
    s = summary(opslib.load_plans(path))
    assert (s.loc[0, "drift"], s.loc[0, "exit_code"]) == (1, 0)
    assert exit_code(opslib.load_plans(PLANS / "show-1.2-drift-sensitive.json")) == 2


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([], 0),
        ([0, 0], 0),
        ([0, 2], 2),
        ([2, 1, 0], 1),
        ([1], 1),
    ],
)
def test_aggregate_exit_code(codes: list[int], expected: int) -> None:
    assert aggregate_exit_code(codes) == expected


def test_tree_secrets_masked_in_plans(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from opslib.secrets import Masker

    doc = json.loads((PLANS / "show-1.0-encodings.json").read_text())
    doc["resource_changes"][0]["change"]["after"]["user_data"] = "DB_PASSWORD=tree-Only-Secret-42"
    path = tmp_path / "dev" / "app" / "tfplan.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(doc))
    tree = SimpleNamespace(units=pd.DataFrame({"unit": ["dev/app"]}), masker=Masker(["tree-Only-Secret-42"]))
    frame = opslib.load_plans(tmp_path, tree=tree)
    assert set(frame["unit"]) == {"dev/app"}
    assert "tree-Only-Secret-42" not in _all_text(frame)
    assert "tree-Only-Secret-42" in _all_text(opslib.load_plans(tmp_path))  # not a secret without the tree


def test_tree_given_as_root_folder(sample: Path) -> None:
    frame = opslib.load_plans(
        sample / "plans" / "non-prod/us-east-1/dev/rds/tfplan.json", tree=sample / "infrastructure-live"
    )
    assert set(frame["unit"]) == {"non-prod/us-east-1/dev/rds"}
    assert "Sup3rS3cret!sample" not in _all_text(frame)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_bom_and_utf16_files(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text((PLANS / "show-1.0-encodings.json").read_text(), encoding=encoding)
    frame = opslib.load_plans(path, strict=True)
    assert len(frame) == 9
