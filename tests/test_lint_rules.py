"""Each rule against its fixture trees: ``fires`` must produce exactly the findings its ``# expect:``
markers name (rule, file, line, optional severity), ``clean`` must produce none of that rule.

Add a rule: add ``tests/fixtures/lint/<RULE>/{fires,clean}/`` and get its tests for free.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from _files import write_files

from opslib.rules import REGISTRY, all_rules, get_rule, lint
from opslib.rules._base import Check, Finding, LintContext, is_production, register
from opslib.rules._hcl import NOT_LITERAL, attrs, literal, raw_text, unquote
from opslib.terragrunt import load_tree

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
RULE_IDS = [rule.id for rule in all_rules()]
_MARKER = re.compile(r"expect:\s*(?P<items>(?:TG\d{3}(?::[a-z]+)?\s*)+)")


def expectations(tree: Path) -> Counter[tuple[str, str, int, str | None]]:
    """(rule, path, line, severity or None) for every ``# expect: TG00N[:severity]`` marker."""
    found: Counter[tuple[str, str, int, str | None]] = Counter()
    for file in sorted(p for p in tree.rglob("*") if p.is_file()):
        for number, line in enumerate(file.read_text().splitlines(), start=1):
            match = _MARKER.search(line)
            if not match:
                continue
            for item in match.group("items").split():
                rule_id, _, severity = item.partition(":")
                found[(rule_id, file.relative_to(tree).as_posix(), number, severity or None)] += 1
    return found


def run(tree: Path, rule_id: str, **kwargs: object) -> pd.DataFrame:
    return lint(load_tree(tree, cache=False), rules=[rule_id], config=kwargs.get("config", {}))


def test_every_rule_has_both_fixtures() -> None:
    for rule_id in RULE_IDS:
        assert (FIXTURES / rule_id / "fires").is_dir(), rule_id
        assert (FIXTURES / rule_id / "clean").is_dir(), rule_id
        assert expectations(FIXTURES / rule_id / "fires"), f"{rule_id}/fires has no expect markers"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_fires_at_the_marked_lines(rule_id: str) -> None:
    tree = FIXTURES / rule_id / "fires"
    expected = expectations(tree)
    findings = run(tree, rule_id)
    assert set(findings["rule_id"]) == {rule_id}
    got: Counter[tuple[str, str, int, str | None]] = Counter()
    for row in findings.itertuples(index=False):
        wanted_severity = {e[3] for e in expected if e[:3] == (row.rule_id, row.path, row.line)}
        severity = row.severity if wanted_severity - {None} else None
        got[(row.rule_id, row.path, int(row.line), severity)] += 1
    assert got == expected, findings[["path", "line", "severity", "message"]].to_string()


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_is_silent_on_clean_tree(rule_id: str) -> None:
    findings = run(FIXTURES / rule_id / "clean", rule_id)
    assert findings.empty, findings[["path", "line", "message"]].to_string()


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_messages_name_the_file_and_line(rule_id: str) -> None:
    findings = run(FIXTURES / rule_id / "fires", rule_id)
    for row in findings.itertuples(index=False):
        assert f"{row.path}:{row.line}:" in row.message
        if row.unit:
            assert f"unit {row.unit}" in row.message


def test_tg002_is_critical_only_in_production() -> None:
    findings = run(FIXTURES / "TG002" / "fires", "TG002")
    by_unit = dict(zip(findings["unit"], findings["severity"], strict=True))
    assert by_unit["prod/app"] == "critical"
    assert by_unit["dev/app"] == "high"
    assert "production account" in findings.loc[findings["unit"] == "prod/app", "message"].iloc[0]


def test_tg002_reports_the_envcommon_source_for_the_including_unit() -> None:
    findings = run(FIXTURES / "TG002" / "fires", "TG002")
    row = findings[findings["path"] == "_envcommon/app.hcl"].iloc[0]
    assert row["unit"] == "dev/common"
    assert "ref=master" in row["message"]


def test_tg011_forbid_policy_flags_committed_lock_files() -> None:
    tree = FIXTURES / "TG011" / "fires"
    findings = run(tree, "TG011", config={"lockfile": "forbid"})
    assert list(zip(findings["path"], findings["line"], strict=True)) == [("locked/.terraform.lock.hcl", 1)]
    assert run(FIXTURES / "TG011" / "clean", "TG011", config={"lockfile": "forbid"})["path"].tolist() == [
        "app/.terraform.lock.hcl"
    ]


def test_tg017_names_the_cycle() -> None:
    findings = run(FIXTURES / "TG017" / "fires", "TG017")
    cycle = findings[findings["message"].str.contains("cycle")]
    assert len(cycle) == 1
    assert "a -> b -> a" in cycle["message"].iloc[0]
    missing = findings[findings["unit"] == "c"]
    assert "../gone" in missing["message"].iloc[0]


def test_frame_has_the_documented_columns_and_types() -> None:
    findings = lint(load_tree(FIXTURES / "TG001" / "fires", cache=False), config={})
    assert list(findings.columns) == [
        "rule_id",
        "severity",
        "unit",
        "path",
        "line",
        "message",
        "suppressed",
        "suppression_reason",
    ]
    assert findings["line"].dtype == "int64"
    assert findings["suppressed"].dtype == bool
    empty = lint(load_tree(FIXTURES / "TG001" / "clean", cache=False), rules=["TG001"], config={})
    assert empty.empty and list(empty.columns) == list(findings.columns)


TREE_FIXTURES = Path(__file__).parent / "fixtures" / "tree"


@pytest.mark.parametrize(
    "tree", sorted(p.name for p in TREE_FIXTURES.glob("*") if p.is_dir()) if TREE_FIXTURES.is_dir() else []
)
def test_every_rule_runs_on_the_tree_loader_fixtures(tree: str) -> None:
    """Messy trees (cycles, unparsable files, stacks, JSON configs, unsafe functions) never crash a rule."""
    findings = lint(load_tree(TREE_FIXTURES / tree, cache=False), config={})
    assert set(findings["rule_id"]) <= set(RULE_IDS)
    assert (findings["line"] >= 1).all()
    assert findings["message"].str.len().gt(0).all()


@pytest.mark.parametrize(
    ("name", "production"),
    [
        ("prod", True),
        ("production", True),
        ("PRD", True),
        ("prod-eu", True),
        ("prod2", True),
        ("non-prod", False),
        ("nonprod", False),
        ("preprod", False),
        ("pre-prod", False),
        ("products", False),
        ("dev", False),
        ("staging", False),
        ("", False),
        (None, False),
    ],
)
def test_production_names(name: str | None, production: bool) -> None:
    assert is_production(name) is production


def test_tg002_registry_version_latest_is_not_a_version() -> None:
    findings = run(FIXTURES / "TG002" / "fires", "TG002")
    row = findings[findings["unit"] == "dev/registry-latest"]
    assert len(row) == 1
    assert "version=latest is not a version" in row["message"].iloc[0]


def test_tg002_messages_hide_passwords_not_user_names() -> None:
    from opslib.rules.tg002_source import _safe

    assert (
        _safe("git::ssh://git@github.com/acme/m.git?ref=main")
        == "git::ssh://git@github.com/acme/m.git?ref=main"
    )
    assert (
        _safe("https://deploy:s3cr3t-value@git.example.com/m.git")
        == "https://deploy:****@git.example.com/m.git"
    )
    hidden = _safe("https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/acme/m")
    assert hidden == "https://****@github.com/acme/m"


# -- the shared rule machinery: registration, a failing rule, messages, block-level suppression ---------


@pytest.fixture
def scratch_rules() -> Iterator[list[str]]:
    """Ids of rules a test registers, removed afterwards so that no other test sees them."""
    ids: list[str] = []
    yield ids
    for rule_id in ids:
        REGISTRY.pop(rule_id, None)


def _register_scratch(rule_id: str, check: Check) -> None:
    register(
        id=rule_id,
        name="scratch-rule",
        title="A rule made up by a test",
        severity="low",
        rationale="""Written over
            several lines.""",
        fix="""Nothing
            to fix.""",
        evaluates="""The text
            as written.""",
        silent="""Every
            other tree.""",
    )(check)


def test_register_declares_a_rule_once_with_its_texts_on_one_line(scratch_rules: list[str]) -> None:
    scratch_rules.append("TG900")
    _register_scratch("TG900", lambda ctx: [])
    rule = get_rule("tg900")
    assert (rule.id, rule.name, rule.severity) == ("TG900", "scratch-rule", "low")
    # docs/rules.md and SARIF show these texts: the source's line breaks and indentation are gone
    assert (rule.rationale, rule.fix, rule.evaluates, rule.silent) == (
        "Written over several lines.",
        "Nothing to fix.",
        "The text as written.",
        "Every other tree.",
    )
    with pytest.raises(ValueError, match="rule TG900 registered twice"):
        _register_scratch("TG900", lambda ctx: [])
    with pytest.raises(ValueError, match="TG901: unknown severity 'urgent'"):
        register(id="TG901", name="x", title="x", severity="urgent", rationale="x", fix="x")


def test_a_rule_that_breaks_reports_it_and_keeps_what_it_found(scratch_rules: list[str]) -> None:
    def check(ctx: LintContext) -> Iterator[Finding]:
        yield Finding("TG902", "app/terragrunt.hcl", 1, "found before the failure", unit="app")
        raise RuntimeError("a shape nobody foresaw")

    scratch_rules.append("TG902")
    _register_scratch("TG902", check)
    findings = lint(load_tree(FIXTURES / "TG001" / "clean", cache=False), rules=["TG902"], config={})
    assert findings[["path", "line", "message"]].values.tolist() == [
        [
            ".",
            1,
            "TG902 could not finish (RuntimeError: a shape nobody foresaw); its findings may be incomplete",
        ],
        ["app/terragrunt.hcl", 1, "found before the failure"],
    ]


_AWS_ROOT = (
    'remote_state {\n  backend = "s3"\n  config = { bucket = "b", key = "k", region = "eu-west-1" }\n}\n'
)
_INCLUDE_ROOT = 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'


@pytest.mark.parametrize(
    ("units", "where"),
    [
        (["app"], "shared file included by 1 unit"),
        (["app", "db"], "shared file included by 2 units"),
        ([], "file"),
    ],
)
def test_shared_file_messages_count_the_units_that_include_it(
    tmp_path: Path, units: list[str], where: str
) -> None:
    # a root.hcl that misses parts (TG013) belongs to no unit: its message says who includes it
    (tmp_path / "root.hcl").write_text(_AWS_ROOT)
    for unit in units:
        (tmp_path / unit).mkdir()
        (tmp_path / unit / "terragrunt.hcl").write_text(_INCLUDE_ROOT)
    findings = lint(load_tree(tmp_path, cache=False), rules=["TG013"], config={})
    assert len(findings) and (findings["unit"] == "").all()
    assert all(m.startswith(f"{where}, root.hcl:") for m in findings["message"]), findings["message"].tolist()


def test_known_format_secret_in_a_block_is_suppressed_from_the_blocks_first_line(tmp_path: Path) -> None:
    # the key in a comment has no attribute of its own: the block (or `inputs = {`) holding the
    # line is where a suppression comment goes
    (tmp_path / "app").mkdir()
    (tmp_path / "root.hcl").write_text("")
    (tmp_path / "app" / "terragrunt.hcl").write_text(
        _INCLUDE_ROOT + "\nlocals { # opslib:ignore TG008 revoked in ACME-7\n"
        "  # deploy key AKIAPLANTEDKEY123456 of the old pipeline\n"
        '  region = "eu-west-1"\n}\n'
        "\ninputs = { # opslib:ignore TG008 a rotated test key\n"
        "  # AKIAPLANTEDKEY654321\n"
        '  name = "app"\n}\n'
        "\n# AKIAPLANTEDKEY999999 outside any block\n"
    )
    findings = lint(load_tree(tmp_path, cache=False), rules=["TG008"], config={})
    assert by_line(findings) == {
        6: (True, "revoked in ACME-7"),
        11: (True, "a rotated test key"),
        15: (False, ""),
    }


def by_line(findings: pd.DataFrame) -> dict[int, tuple[bool, str]]:
    return {int(r.line): (bool(r.suppressed), str(r.suppression_reason)) for r in findings.itertuples()}


def test_state_key_line_is_looked_up_inside_the_remote_state_block(tmp_path: Path) -> None:
    # the key comes from a local written above the block; a `key =` further down belongs to inputs
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "terragrunt.hcl").write_text(_INCLUDE_ROOT)
    (tmp_path / "root.hcl").write_text(
        "locals {\n"
        '  state = { bucket = "acme-state", key = "shared/terraform.tfstate", region = "eu-west-1" }\n'
        "}\n\n"
        'remote_state {\n  backend = "s3"\n  config  = local.state\n}\n\n'
        'inputs = {\n  key = "signing-key-alias"\n}\n'
    )
    findings = lint(load_tree(tmp_path, cache=False), rules=["TG006"], config={})
    assert findings[["path", "line"]].values.tolist() == [["root.hcl", 7]]
    assert "shared/terraform.tfstate" in findings["message"].iloc[0]


def test_cannot_evaluate_notes_end_with_not_judged() -> None:
    notes: list[dict[str, object]] = []
    tree = load_tree(
        Path(__file__).parent / "fixtures" / "lint_corpus" / "TG007" / "config-cannot-be-evaluated",
        cache=False,
    )
    lint(tree, rules=["TG007"], config={}, notes=notes)
    assert notes and all(
        str(n["message"]).startswith("cannot evaluate the remote_state block (")
        and str(n["message"]).endswith("); not judged")
        for n in notes
    ), notes


def test_hcl_helpers_read_raw_values_as_written() -> None:
    # quoted strings lose their quotes and resolve simple escapes; unknown escapes stay as written
    assert unquote(r'"say \"hi\"\n\tnow \q"') == 'say "hi"\n\tnow \\q'
    # a template starting with an interpolation is an expression; an escaped `$${` is literal text
    assert literal('"${local.password}"') is NOT_LITERAL
    assert literal('"$${not_interpolated}"') is not NOT_LITERAL
    assert literal("${local.password}") is NOT_LITERAL
    # a readable rendering for matching: metadata keys left out, booleans as HCL writes them
    body = {"__lines__": {"a": [1, 1]}, "a": '"x"', "b": [True, 2, "${local.c}"], "d": {"e": False}}
    assert raw_text(body) == '{a = "x", b = [true, 2, ${local.c}], d = {e = false}}'


# -- hand-made trees: the exact findings (file, line, severity, unit, message) a user sees ------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    return write_files(root, files, dedent=True)


def seen(root: Path, rule_id: str, notes: list[dict[str, object]] | None = None) -> list[tuple[object, ...]]:
    """(path, line, severity, unit, message) of every finding, in the frame's order."""
    frame = lint(load_tree(root, cache=False), rules=[rule_id], config={}, notes=notes)
    return [(r.path, int(r.line), r.severity, r.unit, r.message) for r in frame.itertuples(index=False)]


def test_tg002_judges_the_sources_of_stack_unit_and_stack_blocks(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "prod/account.hcl": 'locals {\n  environment = "prod"\n}\n',
            "catalog/units/app/terragrunt.hcl": 'terraform {\n  source = "../../../modules/app"\n}\n',
            "prod/terragrunt.stack.hcl": """
                unit "local" {
                  source = "../catalog/units/app"
                  path   = "local"
                }

                unit "api" {
                  path   = "api"
                  source = "git::https://git.example.com/acme/catalog.git//units/api?ref=main"
                }

                stack "net" {
                  path   = "net"
                  source = "github.com/acme/stacks//net"
                }
                """,
        },
    )
    stack = "prod/terragrunt.stack.hcl"
    assert seen(root, "TG002") == [
        (
            stack,
            8,
            "critical",
            "prod",
            f'unit prod, {stack}:8: unit "api" source git::https://git.example.com/acme/catalog.git//units/api'
            "?ref=main is not pinned (ref=main is a branch, not a version tag) in a production account",
        ),
        (
            stack,
            13,
            "critical",
            "prod",
            f'unit prod, {stack}:13: stack "net" source github.com/acme/stacks//net is not pinned '
            "(no ?ref= version tag) in a production account",
        ),
    ]


def test_tg002_knows_git_hosts_archives_and_registry_version_attributes(tmp_path: Path) -> None:
    sources = {
        "bitbucket": "bitbucket.org/acme/vpc",
        "gitlab": "gitlab.com/acme/vpc",
        "http": "http://artifacts.example.com/modules/vpc.zip",
        "https": "https://artifacts.example.com/modules/vpc.zip",
        "release": "https://artifacts.example.com/modules/vpc-v1.4.0.zip",  # named after its release
    }
    files = {
        f"dev/{name}/terragrunt.hcl": f'terraform {{\n  source = "{s}"\n}}\n' for name, s in sources.items()
    }
    files["dev/registry/terragrunt.hcl"] = (
        'terraform {\n  source  = "tfr:///acme/vpc/aws"\n  version = "main"\n}\n'
    )
    files["dev/number/terragrunt.hcl"] = "terraform {\n  source = 42\n}\n"  # not a source: not judged
    files["root.hcl"] = "locals {}\n"
    found = {
        (path, line, severity): message
        for path, line, severity, _, message in seen(write_tree(tmp_path, files), "TG002")
    }
    assert list(found) == [
        (f"dev/{name}/terragrunt.hcl", 2, "high")
        for name in ("bitbucket", "gitlab", "http", "https", "registry")
    ]
    for name in ("bitbucket", "gitlab", "http", "https"):
        message = found[(f"dev/{name}/terragrunt.hcl", 2, "high")]
        assert message.endswith(f"module source {sources[name]} is not pinned (no ?ref= version tag)")
    assert found[("dev/registry/terragrunt.hcl", 2, "high")] == (
        "unit dev/registry, dev/registry/terragrunt.hcl:2: module source tfr:///acme/vpc/aws is not pinned "
        "(registry source without ?version=)"
    )


def test_tg002_ignores_the_source_of_a_no_merge_include(tmp_path: Path) -> None:
    # terragrunt takes nothing from an include with merge_strategy = "no_merge": the unit has no source
    root = write_tree(
        tmp_path,
        {
            "root.hcl": "locals {}\n",
            "_envcommon/app.hcl": 'terraform {\n  source = "git::https://git.example.com/acme/modules.git//app"\n}\n',
            "dev/app/terragrunt.hcl": """
                include "envcommon" {
                  path           = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/app.hcl"
                  merge_strategy = "no_merge"
                }
                """,
            "dev/web/terragrunt.hcl": """
                include "envcommon" {
                  path = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/app.hcl"
                }
                """,
        },
    )
    assert [(path, line, unit) for path, line, _, unit, _ in seen(root, "TG002")] == [
        ("_envcommon/app.hcl", 2, "dev/web")
    ]


def test_tg002_judges_a_source_that_cannot_be_evaluated_by_the_ref_it_spells(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "root.hcl": "locals {}\n",
            # the account is production even though its environment name is not
            "prod/account.hcl": 'locals {\n  account_name = "prod"\n  environment  = "shared"\n}\n',
            "prod/a/terragrunt.hcl": 'terraform {\n  source = "git::https://git.example.com/m.git//a?ref=trunk"\n}\n',
            "dev/b/terragrunt.hcl": """
                locals {
                  base = get_env("MODULES_BASE")
                }

                terraform {
                  source = "${local.base}//b?ref=main"
                }
                """,
            "dev/c/terragrunt.hcl": """
                locals {
                  name = get_env("MODULE_NAME")
                }

                terraform {
                  source = "tfr:///acme/${local.name}/aws?version=latest"
                }
                """,
        },
    )
    assert seen(root, "TG002") == [
        (
            "dev/b/terragrunt.hcl",
            6,
            "high",
            "dev/b",
            "unit dev/b, dev/b/terragrunt.hcl:6: module source ${local.base}//b?ref=main is not pinned "
            "(ref=main is a branch, not a version tag)",
        ),
        (
            "dev/c/terragrunt.hcl",
            6,
            "high",
            "dev/c",
            "unit dev/c, dev/c/terragrunt.hcl:6: module source tfr:///acme/${local.name}/aws?version=latest "
            "is not pinned (version=latest is not a version)",
        ),
        (
            "prod/a/terragrunt.hcl",
            2,
            "critical",
            "prod/a",
            "unit prod/a, prod/a/terragrunt.hcl:2: module source "
            "git::https://git.example.com/m.git//a?ref=trunk is not pinned "
            "(ref=trunk is a branch, not a version tag) in a production account",
        ),
    ]


def test_tg002_reports_stack_units_where_the_branch_is_written(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "prod/account.hcl": 'locals {\n  environment = "prod"\n}\n',
            "dev/account.hcl": 'locals {\n  environment = "dev"\n}\n',
            "catalog/units/svc/terragrunt.hcl": """
                terraform {
                  source = "git::https://git.example.com/acme/modules.git//svc?ref=${values.version}"
                }
                """,
            # the catalog writes the branch in a local: reported there, once for every stack using it
            "catalog/units/q/terragrunt.hcl": """
                locals {
                  queue_ref = "develop"
                }

                terraform {
                  source = "git::https://git.example.com/acme/modules.git//queue?ref=${local.queue_ref}"
                }
                """,
            "prod/terragrunt.stack.hcl": """
                unit "api" {
                  source = "../catalog/units/svc"
                  path   = "api"
                  values = {
                    version = "main"
                  }
                }

                unit "jobs" {
                  source = "../catalog/units/q"
                  path   = "jobs"
                }
                """,
            "dev/terragrunt.stack.hcl": """
                unit "jobs" {
                  source = "../catalog/units/q"
                  path   = "jobs"
                }
                """,
            # the values come from a local written above the unit, not from the next unit's values
            "shared/terragrunt.stack.hcl": """
                locals {
                  common = {
                    version = "master"
                  }
                }

                unit "api" {
                  source = "../catalog/units/svc"
                  path   = "api"
                  values = local.common
                }

                unit "web" {
                  source = "../catalog/units/svc"
                  path   = "web"
                  values = {
                    version = "v2.0.0"
                  }
                }
                """,
        },
    )
    queue = "git::https://git.example.com/acme/modules.git//queue?ref=develop"
    svc = "git::https://git.example.com/acme/modules.git//svc"
    stack_units = [f for f in seen(root, "TG002") if "stack unit" in str(f[4])]
    assert stack_units == [
        (
            "catalog/units/q/terragrunt.hcl",
            2,
            "critical",
            "dev/.terragrunt-stack/jobs",
            "unit dev/.terragrunt-stack/jobs (and 1 more), catalog/units/q/terragrunt.hcl:2: "
            f"stack unit module source {queue} is not pinned (ref=develop is a branch, not a version tag) "
            "in a production account",
        ),
        (
            "prod/terragrunt.stack.hcl",
            5,
            "critical",
            "prod/.terragrunt-stack/api",
            "unit prod/.terragrunt-stack/api, prod/terragrunt.stack.hcl:5: stack unit module source "
            f"{svc}?ref=main is not pinned (ref=main is a branch, not a version tag) in a production account",
        ),
        (
            "shared/terragrunt.stack.hcl",
            3,
            "high",
            "shared/.terragrunt-stack/api",
            "unit shared/.terragrunt-stack/api, shared/terragrunt.stack.hcl:3: stack unit module source "
            f"{svc}?ref=master is not pinned (ref=master is a branch, not a version tag)",
        ),
    ]


def test_tg002_ref_problem_leaves_units_without_a_source_alone() -> None:
    from opslib.rules.tg002_source import ref_problem

    # "none" is the units frame's source_kind of a unit that sets no terraform.source
    assert ref_problem("", "none") is None
    assert ref_problem("", "git") == "no ?ref= version tag"


def test_tg006_tg007_findings_and_what_they_could_not_judge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OPSLIB_TEST_LOCK_TABLE", "OPSLIB_TEST_STATE_KEY", "OPSLIB_TEST_ENCRYPT"):
        monkeypatch.delenv(name, raising=False)
    root = write_tree(
        tmp_path,
        {
            "root.hcl": """
                remote_state {
                  backend = "s3"
                  config = {
                    bucket         = "tfstate-example"
                    key            = "${local.prefix}/state-X"
                    region         = "us-east-1"
                    dynamodb_table = get_env("OPSLIB_TEST_LOCK_TABLE")
                  }
                }

                locals {
                  prefix  = "shared"
                  encrypt = true
                }
                """,
            "app/terragrunt.hcl": _INCLUDE_ROOT,
            "svc/terragrunt.hcl": """
                remote_state {
                  backend = "s3"
                  config = {
                    bucket       = "tfstate-example"
                    key          = get_env("OPSLIB_TEST_STATE_KEY")
                    encrypt      = get_env("OPSLIB_TEST_ENCRYPT")
                    use_lockfile = "true"
                  }
                }
                """,
            # the whole block held in a local: reported on the `remote_state =` line
            "web/terragrunt.hcl": """
                locals {
                  state = {
                    backend = "s3"
                    config = {
                      bucket  = "tfstate-example"
                      encrypt = false
                    }
                  }
                }

                remote_state = local.state
                """,
        },
    )
    shared, web = "shared file included by 1 unit, root.hcl", "unit web, web/terragrunt.hcl:11"
    notes: list[dict[str, object]] = []
    assert seen(root, "TG006", notes) == [
        (
            "root.hcl",
            5,
            "high",
            "",
            f"{shared}:5: s3 state key = ${{local.prefix}}/state-X: "
            "not built with path_relative_to_include()",
        ),
        (
            "web/terragrunt.hcl",
            11,
            "high",
            "web",
            f"{web}: s3 state key missing: not built with path_relative_to_include()",
        ),
    ]
    assert notes == [
        {
            "rule_id": "TG006",
            "path": "svc/terragrunt.hcl",
            "line": 5,
            "message": "cannot evaluate the state key "
            "(get_env(OPSLIB_TEST_STATE_KEY): the environment variable is not set); not judged",
        }
    ]
    notes = []
    assert seen(root, "TG007", notes) == [
        # encrypt is not in the block: the config line, not the unrelated local further down
        ("root.hcl", 3, "high", "", f"{shared}:3: s3 state encrypt missing: state is stored unencrypted"),
        (
            "web/terragrunt.hcl",
            11,
            "high",
            "web",
            f"{web}: s3 state encrypt = false: state is stored unencrypted",
        ),
        (
            "web/terragrunt.hcl",
            11,
            "high",
            "web",
            f"{web}: s3 state has no lock table (dynamodb_table) and no use_lockfile",
        ),
    ]
    assert notes == [
        {
            "rule_id": "TG007",
            "path": "root.hcl",
            "line": 3,
            "message": "cannot evaluate dynamodb_table "
            "(get_env(OPSLIB_TEST_LOCK_TABLE): the environment variable is not set); not judged",
        },
        {
            "rule_id": "TG007",
            "path": "svc/terragrunt.hcl",
            "line": 6,
            "message": "cannot evaluate encrypt "
            "(get_env(OPSLIB_TEST_ENCRYPT): the environment variable is not set); not judged",
        },
    ]


def test_tg006_judges_every_unit_a_root_serves(tmp_path: Path) -> None:
    # the backend comes from each environment: dev units use s3 (key from the folder), prod units gcs
    root = write_tree(
        tmp_path,
        {
            "live/root.hcl": """
                locals {
                  env = read_terragrunt_config(find_in_parent_folders("env.hcl"))
                }

                remote_state {
                  backend = local.env.locals.backend
                  config = {
                    bucket = "tfstate-example"
                    key    = "${path_relative_to_include()}/terraform.tfstate"
                    prefix = "shared"
                  }
                }
                """,
            "live/dev/env.hcl": 'locals {\n  backend = "s3"\n}\n',
            "live/prod/env.hcl": 'locals {\n  backend = "gcs"\n}\n',
            "live/dev/app/terragrunt.hcl": _INCLUDE_ROOT,
            "live/prod/app/terragrunt.hcl": _INCLUDE_ROOT,
        },
    )
    assert seen(root, "TG006") == [
        (
            "live/root.hcl",
            10,
            "high",
            "",
            "shared file included by 2 units, live/root.hcl:10: gcs state prefix = shared: not built with "
            "path_relative_to_include()",
        )
    ]


def test_tg006_accepts_a_key_holding_the_path_from_the_repository_root(tmp_path: Path) -> None:
    # root.hcl is not in a parent folder: path_relative_to_include() is "../live/app", the key "live/app/..."
    (tmp_path / ".git").mkdir()
    root = write_tree(
        tmp_path,
        {
            "common/root.hcl": """
                locals {
                  base = {
                    bucket = "tfstate-example"
                    key    = "${get_path_from_repo_root()}/terraform.tfstate"
                  }
                }

                remote_state {
                  backend = "s3"
                  config  = merge(local.base, { region = "eu-west-1" })
                }
                """,
            "live/app/terragrunt.hcl": 'include "root" {\n  path = "${get_repo_root()}/common/root.hcl"\n}\n',
        },
    )
    assert seen(root, "TG006") == []


def test_tg008_findings_in_locals_inputs_stack_values_and_comments(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "app/terragrunt.hcl": """
                locals {
                  description = "the admin password: rotated yearly"
                  password    = "Sup3rS3cret!"
                  db_password = 12345678
                }

                inputs = {
                  headers = {
                    "X-Auth-Token" = "Zq8vLm2pRt7Ws4Kd"
                  }
                  region = "eu-west-1" # the old key AKIAIOSFODNN7EXAMPLE is revoked
                }
                """,
            "live/terragrunt.stack.hcl": """
                unit "plain" {
                  source = "../catalog/units/plain"
                  path   = "plain"
                }

                unit "db" {
                  source = "../catalog/units/db"
                  path   = "db"
                  values = { # opslib:ignore TG008 a throwaway test database
                    master_password = "Sup3rS3cret!"
                  }
                }

                stack "cache" {
                  source = "../catalog/stacks/cache"
                  path   = "cache"
                  values = {
                    auth_token = "Zq8vLm2pRt7Ws4Kd"
                  }
                }
                """,
        },
    )
    frame = lint(load_tree(root, cache=False), rules=["TG008"], config={})
    app, stack = "unit app, app/terragrunt.hcl", "file, live/terragrunt.stack.hcl"
    assert [(r.path, r.line, r.unit, r.message, r.suppressed) for r in frame.itertuples(index=False)] == [
        # the attribute's own line, not the description that mentions a password
        (
            "app/terragrunt.hcl",
            3,
            "app",
            f"{app}:3: local password has a hardcoded secret value (****#e93b08)",
            False,
        ),
        (
            "app/terragrunt.hcl",
            9,
            "app",
            f"{app}:9: input headers.X-Auth-Token has a hardcoded secret value (****#697afd)",
            False,
        ),
        (
            "app/terragrunt.hcl",
            11,
            "app",
            f"{app}:11: AWS access key id ****#e4869e written in the file",
            False,
        ),
        (
            "live/terragrunt.stack.hcl",
            10,
            "",
            f'{stack}:10: unit "db" value master_password has a hardcoded secret value (****#e93b08)',
            True,  # the comment on the `values = {` line covers the values
        ),
        (
            "live/terragrunt.stack.hcl",
            18,
            "",
            f'{stack}:18: stack "cache" value auth_token has a hardcoded secret value (****#697afd)',
            False,
        ),
    ]
    assert (frame["severity"] == "critical").all()


def test_tg009_reports_the_line_of_each_get_env_call(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "app/terragrunt.hcl": """
                locals {
                  reader_password = get_env("DB_PASSWORD", "")
                  admin_password  = get_env("DB_PASSWORD", "Sup3rS3cret!")
                  api = get_env(
                    "API_TOKEN",
                    "Zq8vLm2pRt7Ws4Kd"
                  )
                  api_token = get_env("API_TOKEN", "Zq8vLm2pRt7Ws4Kd")
                }
                """
        },
    )
    where = "unit app, app/terragrunt.hcl"
    assert seen(root, "TG009") == [
        (
            "app/terragrunt.hcl",
            3,
            "critical",
            "app",
            f'{where}:3: get_env("DB_PASSWORD") falls back to a literal secret (****#e93b08) '
            "for admin_password",
        ),
        (
            "app/terragrunt.hcl",
            5,
            "critical",
            "app",
            f'{where}:5: get_env("API_TOKEN") falls back to a literal secret (****#697afd) for api',
        ),
        (
            "app/terragrunt.hcl",
            8,
            "critical",
            "app",
            f'{where}:8: get_env("API_TOKEN") falls back to a literal secret (****#697afd) for api_token',
        ),
    ]


# -- roots and AWS trees (_roots): which file is a unit's root, which roots and folders are AWS ones --------

_S3_STATE = (
    'remote_state {\n  backend = "s3"\n'
    '  config  = { bucket = "acme-state", key = "${path_relative_to_include()}/terraform.tfstate" }\n}\n'
)
_FULL_GENERATE = """
generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = local.tags
  }
}
EOF
}

generate "versions" {
  path      = "versions.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {
  required_version = ">= 1.6.0"
}
EOF
}
"""
_TAGS_LOCAL = '  tags = merge({ Team = "platform" }, yamldecode(file(find_in_parent_folders("tags.yml"))))\n'


def tg013_problems(root: Path, **kwargs: object) -> list[tuple[str, str]]:
    findings = lint(load_tree(root, cache=False), rules=["TG013"], config={}, **kwargs)  # type: ignore[arg-type]
    return sorted((str(r.path), str(r.message).rsplit(": ", 1)[-1]) for r in findings.itertuples())


def test_a_units_root_is_its_include_labelled_root_whatever_its_name(tmp_path: Path) -> None:
    # org.hcl is the root; the env's own root.hcl (locals only) is included under another label
    write_tree(
        tmp_path,
        {
            "org.hcl": _S3_STATE,
            "dev/root.hcl": 'locals {\n  environment = "dev"\n}\n',
            "dev/app/terragrunt.hcl": 'include "root" {\n  path = find_in_parent_folders("org.hcl")\n}\n\n'
            'include "env" {\n  path = "../root.hcl"\n}\n',
        },
    )
    assert tg013_problems(tmp_path) == [
        ("org.hcl", "org.hcl does not read tags from tags.yml"),
        ("org.hcl", "org.hcl generates no AWS provider with default_tags"),
        ("org.hcl", "org.hcl generates no version constraints (required_version / required_providers)"),
    ]


def test_account_hcl_keys_are_required_in_aws_folders_only(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "root.hcl": _S3_STATE,
            "account.hcl": 'locals {\n  account_name = "shared"\n}\n',
            "aws/app/terragrunt.hcl": _INCLUDE_ROOT,
            # a GCP folder of the same tree: its own root (gcs state) and account.hcl
            "gcp/root.hcl": 'remote_state {\n  backend = "gcs"\n  config  = { bucket = "acme-gcp" }\n}\n',
            "gcp/account.hcl": 'locals {\n  project = "acme-data"\n}\n',
            "gcp/gke/terragrunt.hcl": _INCLUDE_ROOT,
        },
    )
    findings = lint(load_tree(tmp_path, cache=False), rules=["TG014"], config={})
    # the tree-root account.hcl serves the AWS unit (AWS through its root.hcl); the GCP one does not
    assert findings["path"].tolist() == ["account.hcl"]
    assert "miss aws_account_id" in findings["message"].iloc[0]


def test_backend_held_in_a_local_makes_an_aws_root(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "root.hcl": 'locals {\n  backend = "s3"\n}\n\n' + _S3_STATE.replace('"s3"', "local.backend"),
            "app/terragrunt.hcl": _INCLUDE_ROOT,
        },
    )
    assert [p for _, p in tg013_problems(tmp_path)] == [
        "root.hcl does not read tags from tags.yml",
        "root.hcl generates no AWS provider with default_tags",
        "root.hcl generates no version constraints (required_version / required_providers)",
    ]


def test_provider_held_in_a_local_is_judged_on_its_evaluated_text(tmp_path: Path) -> None:
    # no remote_state: the root is an AWS one only through the provider text the local holds
    write_tree(
        tmp_path,
        {
            "root.hcl": 'locals {\n  provider = <<EOT\nprovider "aws" {\n  region = "eu-west-1"\n}\n'
            "EOT\n}\n\n"
            'generate "provider" {\n  path      = "provider.tf"\n  if_exists = "overwrite_terragrunt"\n'
            "  contents  = local.provider\n}\n",
            "app/terragrunt.hcl": _INCLUDE_ROOT,
        },
    )
    notes: list[dict[str, object]] = []
    assert [p for _, p in tg013_problems(tmp_path, notes=notes)] == [
        "root.hcl does not read tags from tags.yml",
        "root.hcl generates no AWS provider with default_tags",
        "root.hcl generates no version constraints (required_version / required_providers)",
        "root.hcl has no remote_state block (S3 with a DynamoDB lock table)",
    ]
    assert notes == []  # evaluated, so judged: nothing left "cannot evaluate"


def test_a_backend_that_cannot_be_evaluated_is_never_called_missing(tmp_path: Path) -> None:
    files = {
        "root.hcl": "locals {\n"
        + _TAGS_LOCAL
        + "}\n\n"
        + _S3_STATE.replace('"s3"', 'get_env("TG_BACKEND")')
        + _FULL_GENERATE,
        "tags.yml": "Team: platform\n",
        "app/terragrunt.hcl": _INCLUDE_ROOT,
    }
    assert tg013_problems(write_tree(tmp_path, files)) == []


def test_an_evaluator_failure_is_logged_and_never_makes_a_finding(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # a root whose backend comes from a local: when the evaluator breaks, the backend is unknown, not absent
    files = {
        "root.hcl": 'locals {\n  backend = "s3"\n'
        + _TAGS_LOCAL
        + "}\n\n"
        + _S3_STATE.replace('"s3"', "local.backend")
        + _FULL_GENERATE,
        "tags.yml": "Team: platform\n",
        "app/terragrunt.hcl": _INCLUDE_ROOT,
    }
    tree = load_tree(write_tree(tmp_path, files), cache=False)

    def broken(path: str) -> list[object]:
        raise RuntimeError("an evaluator bug")

    tree.file_configs = broken  # type: ignore[method-assign]
    with caplog.at_level("DEBUG", logger="opslib.rules._eval"):
        findings = lint(tree, rules=["TG013"], config={})
    assert findings.empty, findings["message"].tolist()
    # `opslib -vv lint` says which file could not be evaluated
    assert "cannot evaluate root.hcl" in caplog.messages


def test_stack_unit_source_is_reported_in_its_catalog_not_in_a_file_the_catalog_includes(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "base.hcl": 'locals {\n  team = "platform"\n}\n',
            "catalog/units/queue/terragrunt.hcl": 'include "base" {\n'
            '  path = find_in_parent_folders("base.hcl")\n}\n\n'
            'terraform {\n  source = "git::https://git.example.com/acme/modules.git//queue?ref=develop"\n}\n',
            "live/terragrunt.stack.hcl": 'unit "jobs" {\n'
            '  source = "../catalog/units/queue"\n  path   = "jobs"\n}\n',
        },
    )
    findings = lint(load_tree(tmp_path, cache=False), rules=["TG002"], config={})
    # the catalog writes the branch: one finding there, none on the stack file
    assert findings[["path", "line"]].values.tolist() == [["catalog/units/queue/terragrunt.hcl", 6]]


def test_hcl_attrs_leave_out_blocks_and_metadata() -> None:
    body = {
        "__lines__": {"name": [1, 1], "count": [2, 2], "tags": [3, 3], "enabled": [4, 4]},
        "name": '"app"',
        "count": 3,
        "tags": [{"Team": '"platform"'}],  # an attribute holding a list of objects stays an attribute
        "enabled": True,
        "dependency": [{'"vpc"': {"__is_block__": True, "config_path": '"../vpc"'}}],
        "__start_line__": 1,
    }
    assert attrs(body) == {"name": '"app"', "count": 3, "tags": [{"Team": '"platform"'}], "enabled": True}


def test_with_the_evaluator_broken_a_root_is_judged_as_written(tmp_path: Path) -> None:
    tree = load_tree(
        write_tree(tmp_path, {"root.hcl": _S3_STATE, "app/terragrunt.hcl": _INCLUDE_ROOT}), cache=False
    )

    def broken(path: str) -> list[object]:
        raise RuntimeError("an evaluator bug")

    tree.file_configs = broken  # type: ignore[method-assign]
    findings = lint(tree, rules=["TG013"], config={})
    # `backend = "s3"` is written as a literal: an AWS root whose missing parts are still reported
    assert [str(m).rsplit(": ", 1)[-1] for m in findings["message"]] == [
        "root.hcl generates no AWS provider with default_tags",
        "root.hcl generates no version constraints (required_version / required_providers)",
        "root.hcl does not read tags from tags.yml",
    ]


def test_tg017_cycles_follow_the_dependencies_and_missing_targets_are_named(tmp_path: Path) -> None:
    write_tree(tmp_path / "other", {"vpc/terragrunt.hcl": "terraform {}\n"})  # a unit of a neighbouring tree
    root = write_tree(
        tmp_path / "live",
        {
            # app's dependency on db is written in the file app includes: the cycle is reported there
            "_envcommon/app.hcl": 'dependency "db" {\n  config_path = "${get_terragrunt_dir()}/../db"\n}\n',
            "app/terragrunt.hcl": 'include "envcommon" {\n  path = "../_envcommon/app.hcl"\n}\n',
            "db/terragrunt.hcl": 'dependency "app" {\n  config_path = "../app"\n}\n',
            # x needs z, z needs y, y needs x: the message follows the edges, not the alphabet
            "x/terragrunt.hcl": '# the loop\n\ndependency "z" {\n  config_path = "../z"\n}\n',
            "y/terragrunt.hcl": 'dependency "x" {\n  config_path = "../x"\n}\n',
            "z/terragrunt.hcl": 'dependency "y" {\n  config_path = "../y"\n}\n',
            "c/terragrunt.hcl": """
                dependencies {
                  paths = ["../gone-one", "../gone-two"]
                }

                dependency "vpc" {
                  config_path = "../../other/vpc"
                }
                """,
            "d/terragrunt.hcl": 'dependency "cache" {\n  config_path = "../gone-cache"\n}\n',
        },
    )
    assert seen(root, "TG017") == [
        (
            "_envcommon/app.hcl",
            1,
            "high",
            "app",
            "unit app, _envcommon/app.hcl:1: dependency cycle app -> db -> app",
        ),
        (
            "c/terragrunt.hcl",
            2,
            "high",
            "c",
            "unit c, c/terragrunt.hcl:2: dependencies.paths entry points at ../gone-one, "
            "which is not a unit of this tree",
        ),
        (
            "d/terragrunt.hcl",
            1,
            "high",
            "d",
            'unit d, d/terragrunt.hcl:1: dependency "cache" points at ../gone-cache, '
            "which is not a unit of this tree",
        ),
        ("x/terragrunt.hcl", 3, "high", "x", "unit x, x/terragrunt.hcl:3: dependency cycle x -> z -> y -> x"),
    ]


def test_tg012_counts_the_environments_an_account_holds(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            # no environment local in the root account.hcl: reported on its first line
            "account.hcl": '# the organisation account\nlocals {\n  account_name = "org"\n}\n',
            "aaa/tools/terragrunt.hcl": "terraform {}\n",  # no environment: not counted
            "prod/app/terragrunt.hcl": "terraform {}\n",
            "prod/db/terragrunt.hcl": "terraform {}\n",
            "dev/app/terragrunt.hcl": "terraform {}\n",
            # a nested account folder: its units belong to it, not to the root account
            "sandbox/account.hcl": 'locals {\n  account_name = "sandbox"\n  environment  = "dev"\n}\n',
            "sandbox/prod/web/terragrunt.hcl": "terraform {}\n",
        },
    )
    assert seen(root, "TG012") == [
        (
            "account.hcl",
            1,
            "high",
            "",
            "file, account.hcl:1: one account holds production [prod (2 units)] and non-production "
            "[dev (1 unit)] environments",
        )
    ]


def test_tg013_names_the_block_and_what_it_could_not_evaluate(tmp_path: Path) -> None:
    remote_state = """
        remote_state {
          backend = "s3"
          config = {
            bucket = "tfstate-example"
            key    = "${path_relative_to_include()}/terraform.tfstate"
          }
        }
        """
    root = write_tree(
        tmp_path,
        {
            "a/root.hcl": 'locals {\n  tags = yamldecode(file(find_in_parent_folders("tags.yml")))\n}\n'
            + textwrap.dedent(remote_state)
            + """
generate "versions" {
  path     = "versions.tf"
  contents = "terraform {\\n  required_version = \\">= 1.6.0\\"\\n}\\n"
}

generate "provider" {
  path     = "provider.tf"
  contents = file("provider.tf")
}
""",
            "a/provider.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n',
            "a/tags.yml": "team: platform\n",
            "a/app/terragrunt.hcl": _INCLUDE_ROOT,
            # tags.yaml is read and merged; the provider is rendered by a command (cannot be evaluated)
            "b/root.hcl": "locals {\n"
            + '  tags = merge({ Owner = "platform" },\n'
            + '    yamldecode(file(find_in_parent_folders("tags.yaml"))))\n'
            + "}\n"
            + textwrap.dedent(remote_state)
            + '\ngenerate "provider" {\n  path     = "provider.tf"\n  contents = run_cmd("./render.sh")\n}\n',
            "b/tags.yaml": "team: platform\n",
            "b/app/terragrunt.hcl": _INCLUDE_ROOT,
        },
    )
    notes: list[dict[str, object]] = []
    shared = "shared file included by 1 unit, a/root.hcl"
    assert seen(root, "TG013", notes) == [
        (
            "a/root.hcl",
            1,
            "medium",
            "",
            f"{shared}:1: root.hcl reads tags.yml but does not merge() it with the default tags",
        ),
        # the block labelled provider, not the first generate block
        (
            "a/root.hcl",
            18,
            "medium",
            "",
            f"{shared}:18: root.hcl generates no AWS provider with default_tags",
        ),
    ]
    assert [(n["path"], n["line"], n["message"]) for n in notes] == [
        ("b/root.hcl", 14, "cannot evaluate the generated provider (generate contents); not judged"),
        (
            "b/root.hcl",
            14,
            "cannot evaluate the generated version constraints (generate contents); not judged",
        ),
    ]


def test_tg014_reports_the_locals_block_or_the_first_line(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "root.hcl": """
                remote_state {
                  backend = "s3"
                  config = {
                    bucket = "tfstate-example"
                    key    = "${path_relative_to_include()}/terraform.tfstate"
                  }
                }
                """,
            "prod/account.hcl": """
                # the production account

                locals {
                  account_name   = "prod"
                  aws_account_id = "123456789012"
                  environment    = "prod"
                }
                """,
            "dev/account.hcl": "# values come from the CI environment\n",
            "prod/app/terragrunt.hcl": _INCLUDE_ROOT,
            "dev/app/terragrunt.hcl": _INCLUDE_ROOT,
        },
    )
    assert seen(root, "TG014") == [
        (
            "dev/account.hcl",
            1,
            "medium",
            "",
            "file, dev/account.hcl:1: account.hcl locals miss account_name, aws_account_id, environment, "
            "owner, team, cost_center, deletion_protection, log_retention_days",
        ),
        (
            "prod/account.hcl",
            3,
            "medium",
            "",
            "file, prod/account.hcl:3: account.hcl locals miss owner, team, cost_center, "
            "deletion_protection, log_retention_days",
        ),
    ]


def test_tg005_findings_suppression_and_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPSLIB_TEST_OWNER", raising=False)
    root = write_tree(
        tmp_path,
        {
            "root.hcl": """
locals {
  tags  = { team = "platform" }
  owner = get_env("OPSLIB_TEST_OWNER")
}

generate "provider" { # opslib:ignore TG005 rendered by a wrapper
  path     = "provider.tf"
  contents = <<EOF
provider "aws" {
  default_tags {
    tags = ${local.tags}
  }
}
EOF
}

generate "tags" {
  path     = "tags.tf"
  contents = <<EOF
locals {
  named = ${merge(local.tags, { Name = "shared" })}
  owner = "${local.owner}"
}
EOF
}
""",
            "app/terragrunt.hcl": _INCLUDE_ROOT,
        },
    )
    notes: list[dict[str, object]] = []
    frame = lint(load_tree(root, cache=False), rules=["TG005"], config={}, notes=notes)
    shared = "shared file included by 1 unit, root.hcl"
    assert [(r.line, r.severity, r.message, r.suppressed) for r in frame.itertuples(index=False)] == [
        (
            11,
            "low",
            f'{shared}:11: generate "provider" interpolates a map without jsonencode(): ${{local.tags}}',
            True,  # the comment on the generate block's first line covers its contents
        ),
        (
            21,
            "low",
            f'{shared}:21: generate "tags" interpolates a map without jsonencode(): '
            '${merge(local.tags, { Name = "shared" })}',
            False,
        ),
    ]
    assert notes == [
        {
            "rule_id": "TG005",
            "path": "root.hcl",
            "line": 22,
            "message": "cannot evaluate ${local.owner} "
            "(get_env(OPSLIB_TEST_OWNER): the environment variable is not set); not judged",
        }
    ]


def test_tg005_interpolations_keep_quoted_strings_whole() -> None:
    from opslib.rules.tg005_generate import interpolations

    line = 'named = ${merge(local.tags, { Name = "a}b", Note = "say \\"hi\\"" })} and $${literal}'
    assert list(interpolations(line)) == [(8, 'merge(local.tags, { Name = "a}b", Note = "say \\"hi\\"" })')]


def test_tg010_workspace_in_extra_arguments_commands(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "root.hcl": "locals {}\n",
            "app/terragrunt.hcl": """
                include "root" {
                  path = find_in_parent_folders("root.hcl")
                }

                terraform {
                  extra_arguments "workspace" {
                    arguments = ["-no-color"]
                    commands  = ["workspace"]
                  }
                }
                """,
        },
    )
    assert seen(root, "TG010") == [
        (
            "app/terragrunt.hcl",
            8,
            "high",
            "app",
            "unit app, app/terragrunt.hcl:8: hook runs `terraform workspace`",
        )
    ]


def test_tg016_says_how_root_hcl_is_included(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "root.hcl": "locals {}\n",
            "app/terragrunt.hcl": 'include "common" {\n  path = find_in_parent_folders("root.hcl")\n}\n',
            "bare/terragrunt.hcl": 'include {\n  path = find_in_parent_folders("root.hcl")\n}\n',
            "lone/terragrunt.hcl": 'terraform {\n  source = "../modules/lone"\n}\n',
            "web/terragrunt.hcl": _INCLUDE_ROOT,
        },
    )
    no_root = 'no `include "root"` block'
    assert [(path, line, message) for path, line, _, _, message in seen(root, "TG016")] == [
        (
            "app/terragrunt.hcl",
            1,
            f'unit app, app/terragrunt.hcl:1: {no_root}: root.hcl is included as "common"',
        ),
        (
            "bare/terragrunt.hcl",
            1,
            f"unit bare, bare/terragrunt.hcl:1: {no_root}: root.hcl is included by a bare `include {{}}`",
        ),
        (
            "lone/terragrunt.hcl",
            1,
            f"unit lone, lone/terragrunt.hcl:1: {no_root}; "
            "the unit gets no remote state, provider or tags from root.hcl",
        ),
    ]


def test_tg017_a_unit_that_depends_on_itself_is_a_one_member_cycle(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {"app/terragrunt.hcl": '# needs itself\ndependency "me" {\n  config_path = "../app"\n}\n'},
    )
    message = "unit app, app/terragrunt.hcl:2: dependency cycle app -> app"
    assert seen(root, "TG017") == [("app/terragrunt.hcl", 2, "high", "app", message)]


def test_tg002_on_a_nested_stack_unit_points_at_the_stack_block_that_brings_it(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "live/terragrunt.stack.hcl": """
                # the app stack
                stack "app" {
                  source = "../catalog/stacks/app"
                  path   = "app"
                }
                """,
            "catalog/stacks/app/terragrunt.stack.hcl": """
                # one unit, written three lines further down than the stack block above


                unit "svc" {
                  source = "git::https://github.com/acme/modules.git//svc?ref=main"
                  path   = "svc"
                }
                """,
        },
    )
    unit = "live/.terragrunt-stack/app/.terragrunt-stack/svc"
    # path and line of one file: the stack block in live/, not line 4 of it (the unit block's line in
    # the catalog's stack file)
    rows = load_tree(root, cache=False).units
    assert rows[["unit", "path", "line"]].values.tolist() == [[unit, "live/terragrunt.stack.hcl", 2]]
    message = (
        f"unit {unit}, live/terragrunt.stack.hcl:2: stack unit module source "
        "git::https://github.com/acme/modules.git//svc?ref=main is not pinned "
        "(ref=main is a branch, not a version tag)"
    )
    assert seen(root, "TG002") == [("live/terragrunt.stack.hcl", 2, "high", unit, message)]
