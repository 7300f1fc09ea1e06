"""Findings as SARIF 2.1.0, the format GitHub code scanning and other code-scanning UIs read.

Every rule becomes a ``reportingDescriptor`` (short and full description, help with the fix, default
level), every finding a ``result`` with its file and line, and a suppressed finding carries an
``inSource`` suppression with its reason, so the UI shows it as dismissed rather than dropping it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from opslib.rules._base import Rule
from opslib.rules.registry import all_rules

__all__ = ["LEVELS", "SARIF_SCHEMA", "SARIF_VERSION", "to_sarif", "to_sarif_json"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: SARIF has three result levels; critical and high both fail a build
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
#: GitHub ranks code-scanning alerts by this 0-10 score
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_SECURITY_RULES = {"TG002", "TG006", "TG007", "TG008", "TG009", "TG012"}
_BASE_ID = "SRCROOT"


def _version() -> str:
    try:
        return metadata.version("opslib")
    except metadata.PackageNotFoundError:  # running from a bare checkout
        return "0.0.0"


def _descriptor(rule: Rule) -> dict[str, Any]:
    tags = ["terragrunt", "security" if rule.id in _SECURITY_RULES else "maintainability"]
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": f"{rule.rationale}\n\nFix: {rule.fix}\n\nSuppress: # opslib:ignore {rule.id} <reason>",
            "markdown": (
                f"{rule.rationale}\n\n**Fix.** {rule.fix}\n\n"
                f"Suppress with `# opslib:ignore {rule.id} <reason>` on the line or the block's "
                "first line."
            ),
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": rule.severity,
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }


def _fingerprint(row: dict[str, Any]) -> str:
    # line left out so the alert survives lines added above it
    key = "\x1f".join(str(row.get(k, "")) for k in ("rule_id", "path", "unit"))
    message = str(row.get("message", "")).replace(f":{row.get('line')}:", ":")
    return hashlib.sha256(f"{key}\x1f{message}".encode()).hexdigest()[:32]


def _result(row: dict[str, Any], index: dict[str, int]) -> dict[str, Any]:
    severity = str(row["severity"])
    result: dict[str, Any] = {
        "ruleId": row["rule_id"],
        "level": LEVELS.get(severity, "warning"),
        "message": {"text": str(row["message"])},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(str(row["path"])), "uriBaseId": _BASE_ID},
                    "region": {"startLine": max(1, int(row["line"]))},
                },
            }
        ],
        "partialFingerprints": {"opslibFinding/v1": _fingerprint(row)},
        "properties": {"severity": severity, "unit": str(row.get("unit") or "")},
    }
    if row["rule_id"] in index:
        result["ruleIndex"] = index[row["rule_id"]]
    if bool(row.get("suppressed")):
        suppression: dict[str, Any] = {"kind": "inSource", "state": "accepted"}
        reason = str(row.get("suppression_reason") or "")
        if reason:
            suppression["justification"] = reason
        result["suppressions"] = [suppression]
    return result


def to_sarif(
    findings: pd.DataFrame, *, root: str | Path | None = None, rules: Iterable[Rule] | None = None
) -> dict[str, Any]:
    """A SARIF 2.1.0 log (as a dict) for ``findings``; ``root`` is the tree root the paths are
    relative to (recorded as the ``SRCROOT`` base)."""
    descriptors = list(rules) if rules is not None else all_rules()
    index = {rule.id: i for i, rule in enumerate(descriptors)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "opslib",
                "version": _version(),
                "semanticVersion": _version(),
                "rules": [_descriptor(rule) for rule in descriptors],
            }
        },
        "invocations": [{"executionSuccessful": True}],
        "results": [
            _result({str(k): v for k, v in row.items()}, index) for row in findings.to_dict(orient="records")
        ],
    }
    if root is not None:
        run["originalUriBaseIds"] = {_BASE_ID: {"uri": Path(root).resolve().as_uri().rstrip("/") + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def to_sarif_json(
    findings: pd.DataFrame, *, root: str | Path | None = None, rules: Iterable[Rule] | None = None
) -> str:
    return json.dumps(to_sarif(findings, root=root, rules=rules), indent=2, ensure_ascii=False) + "\n"
