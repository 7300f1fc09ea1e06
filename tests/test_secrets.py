"""The one secret judgement (names by head noun, values by shape, known formats), its masked form, and
TG008 on the precision corpus (tests/fixtures/lint_corpus/TG008)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from opslib.rules import lint
from opslib.secrets import (
    Masker,
    is_masked,
    is_secret,
    is_secret_name,
    known_format,
    mask,
    mask_named,
    mask_value,
    name_words,
    non_secret_shape,
    scrub_text,
)
from opslib.terragrunt import load_tree
from tests.test_lint_rules import expectations

CORPUS = Path(__file__).parent / "fixtures" / "lint_corpus" / "TG008"


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "db_password",
        "DB_PASSWORD",
        "masterPassword",
        "adminpassword",
        "passwd",
        "api_key",
        "API_KEY",
        "apiKey",
        "api_keys",
        "private_key",
        "aws_secret_access_key",
        "client_secret",
        "credentials",
        "gitlab_token",
        "GITLAB_TOKEN",
        "passwords",
        "secret_string",
        "password_wo",
        "connection_string",
        "db_password_prod",
        "token_2",
        "storage_account_key",
        "password_for_db",
    ],
)
def test_secret_names_by_head_noun(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "secret_name",
        "secrets_namespace",
        "token_duration_in_seconds",
        "TOKEN_DURATION_IN_SECONDS",
        "secret_permissions",
        "humiosecretprefix",
        "key_vault_id",
        "vault_token_cmd",
        "password_length",
        "secret_arn",
        "kms_key_id",
        "kms_key",
        "key",
        "public_key",
        "ssh_public_key",
        "token_ttl",
        "password_wo_version",
        "secret_key_ref",
        "instance_type",
        "bypass",
        "pass_through",
        "name",
    ],
)
def test_names_where_the_secret_word_only_qualifies(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("funcapp-KEY-APPBACKEND", "identifier made of words"),
        ("billing-api", "identifier made of words"),
        ("2592000", "number"),
        ("720h", "duration"),
        ("P30D", "duration"),
        ("true", "boolean or placeholder"),
        ("v0.8.0", "version"),
        (["Get", "List", "Set"], "list of plain values"),
        ("arn:aws:secretsmanager:eu-west-1:1:secret:db", "secret-store reference"),
        ("{{resolve:secretsmanager:x:SecretString:pw}}", "secret-store reference"),
        ("/prod/db/password", "path"),
        ("https://vault.example.com:8200", "URL without credentials"),
        ("db.example.com", "hostname"),
        ("vault kv get -field=password secret/db", "command or text"),
        ("********", "placeholder"),
        (5432, "number"),
        (0.5, "number"),
        (True, "boolean"),
    ],
)
def test_value_shapes_that_are_no_secret(value: object, shape: str) -> None:
    assert non_secret_shape(value) == shape
    assert not is_secret("password", value)


@pytest.mark.parametrize(
    "value",
    ["Sup3rS3cret!", "changeme", "password", "admin123", "hunter2-very-secret", "Sup3r S3cret", "admin-123"],
)
def test_passwords_people_write_stay_secret(value: str) -> None:
    assert non_secret_shape(value) is None
    assert is_secret("db_password", value)
    assert not is_secret("db_name", value), "a plain value under a plain name is no secret"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "AWS access key id"),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS secret access key"),
        ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "GitHub token"),
        ("glpat-abcdefghij0123456789", "GitLab token"),
        ("xoxb-1234567890-abcdefghij", "Slack token"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----", "private key"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "JWT"),
        ("postgres://app:W3akPass@db:5432/app", "password in URL"),
        ("Server=db;User Id=app;Password=W3akPass2;", "password in connection string"),
    ],
)
def test_known_formats_under_any_name(text: str, kind: str) -> None:
    assert known_format(text) == kind
    assert is_secret("note", text)


def test_known_formats_leave_look_alikes_alone() -> None:
    for text in (
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # a git SHA
        "git::https://github.com/acme/modules.git//vpc?ref=v1.2.0",
        "https://oauth2:${local.gitlab_token}@gitlab.com/acme/x.git",  # the expression is no secret
        "ssh://git@github.com/acme/x.git",
    ):
        assert known_format(text) is None, text


def test_masked_form_shows_none_of_the_value() -> None:
    for value in ("Sup3rS3cret!", "abc", "AKIAIOSFODNN7EXAMPLE"):
        hidden = mask(value)
        assert hidden.startswith("****#") and len(hidden) == 11 and is_masked(hidden)
        assert value[:3] not in hidden[4:]
    assert mask("x-1") == mask("x-1") != mask("x-2"), "stable, and tells secrets apart"


def test_name_words_split_case_and_separators_in_lower_case() -> None:
    assert name_words("dbMasterPassword_2") == ["db", "master", "password", "2"]
    assert name_words("AWS_SECRET_ACCESS_KEY") == ["aws", "secret", "access", "key"]


def test_fingerprint_stays_the_same_from_one_release_to_the_next() -> None:
    """Reports and lint findings saved earlier are matched to new ones by the tag: the value hashed with
    opslib's own personalisation gives the tag the Masker docstring shows."""
    assert mask("hunter2!") == "****#32b810"


def test_mask_value_ignores_keep_and_shows_nothing() -> None:
    assert mask_value("Sup3rS3cret!", keep=4) == mask("Sup3rS3cret!")
    assert "Sup" not in mask_value("Sup3rS3cret!", keep=4)[4:]


@pytest.mark.parametrize(
    ("value", "longer_word"),
    [
        ("s3cr3t!x", "s3cr3t!xY"),  # ends with a letter: a following capital makes another word
        ("s3cr3t!x", "s3cr3t!x9"),
        ("x!s3cr3t", "Ax!s3cr3t"),  # starts with a letter, punctuation second
        ("s3cr3t_", "s3cr3t_x"),  # ends with "_", a word character
    ],
)
def test_a_remembered_secret_is_masked_only_where_it_stands_whole(value: str, longer_word: str) -> None:
    masker = Masker([value])
    assert masker.scrub_str(f"use {value} now") == f"use {mask(value)} now"
    assert masker.scrub_str(f"({value})") == f"({mask(value)})"
    assert masker.scrub_str(f"use {longer_word} now") == f"use {longer_word} now"


def test_a_secret_holding_another_is_masked_whole() -> None:
    masker = Masker(["hunter2", "hunter2-extended"])
    out = masker.scrub_str("a=hunter2-extended b=hunter2")
    assert out == f"a={mask('hunter2-extended')} b={mask('hunter2')}"
    assert "extended" not in out
    # the same in a URL and a connection string found by format
    assert "tended" not in scrub_text("https://u:hunter2-extended@h.example.com/x")


def test_copies_are_masked_but_names_and_paths_are_not() -> None:
    masker = Masker(["password", "terragrunt"])
    assert masker.scrub_str("local db_password is password") == f"local db_password is {mask('password')}"
    message = "unit app, app/terragrunt.hcl:3: uses terragrunt"
    kept = masker.scrub_str(message, keep=("app/terragrunt.hcl", "app"))
    assert kept == f"unit app, app/terragrunt.hcl:3: uses {mask('terragrunt')}"


def test_mask_named_at_any_nesting_and_map_keys() -> None:
    masker = Masker()
    values = {
        "api_keys": ["k3y-0ne-9f8e7d"],
        "credentials": {"value": "q7Fz9wLm2XvB"},
        "nested": [{"db_password": "changeme"}],
        "secret_permissions": ["Get", "List"],
        "token_duration_in_seconds": "2592000",
        "api_key": "funcapp-KEY-APPBACKEND",
        "url": "postgres://app:W3akPass@db:5432/app",
    }
    out = mask_named(values, masker)
    assert is_masked(out["api_keys"][0]) and is_masked(out["credentials"]["value"])
    assert is_masked(out["nested"][0]["db_password"])
    assert out["secret_permissions"] == ["Get", "List"]
    assert out["token_duration_in_seconds"] == "2592000" and out["api_key"] == "funcapp-KEY-APPBACKEND"
    assert "W3akPass" not in out["url"] and out["url"].startswith("postgres://app:****#")
    assert masker.scrub({"changeme": 1}) == {mask("changeme"): 1}, "a secret used as a map key"


def test_mask_named_inside_tuples() -> None:
    out = mask_named({"hosts": ("db-1", {"db_password": "changeme"})}, Masker())
    assert out == {"hosts": ("db-1", {"db_password": mask("changeme")})}


def test_mask_named_masks_known_formats_in_plain_values_and_leaves_the_prose() -> None:
    """Under a plain name only a secret of a known format is masked in the text: the words after
    ``token:`` in a note are prose, judged by the value's name (``note``), not as a field."""
    note = "Leaked key AKIAIOSFODNN7EXAMPLE; token: rotated"
    out = mask_named({"change_note": note}, Masker())
    assert out == {"change_note": f"Leaked key {mask('AKIAIOSFODNN7EXAMPLE')}; token: rotated"}


def test_field_value_in_emphasis_is_masked_between_the_marks() -> None:
    """``Password: *x*`` masks ``x`` exactly: not a character of it left, the marks kept."""
    for text in ("Password: *hunter2x*", "Password: __hunter2x__", "- **DB password**: *hunter2x*"):
        out = scrub_text(text)
        mark = text.split("hunter2x")[1]
        assert out == text.replace("hunter2x", mask("hunter2x")), out
        assert out.endswith(mask("hunter2x") + mark)


def test_free_text_fields_and_known_formats() -> None:
    text = "**Password**: Sup3r S3cret\nPassword: hunter2\nToken duration: 3600\nkey AKIAIOSFODNN7EXAMPLE\n"
    out = scrub_text(text)
    for secret in ("Sup3r S3cret", "hunter2", "AKIAIOSFODNN7EXAMPLE"):
        assert secret not in out and secret[:3] + "*" not in out
    assert "Token duration: 3600" in out and "**Password**: ****#" in out


def _corpus_cases() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda p: p.name)
def test_tg008_corpus(case: Path) -> None:
    """Every false positive and false negative of issue 15, written out: findings exactly at the markers."""
    findings = lint(load_tree(case, cache=False), rules=["TG008"], config={})
    got = Counter((row.rule_id, row.path, int(row.line), None) for row in findings.itertuples(index=False))
    assert got == expectations(case), findings[["path", "line", "message"]].to_string()
    for message in findings["message"]:
        assert ".hcl" in message and "****#" in message


def test_tg008_messages_mask_secrets_only() -> None:
    """No masked string in a message is anything but a secret; paths and names stay readable."""
    for case in _corpus_cases():
        findings = lint(load_tree(case, cache=False), rules=None, config={})
        for row in findings.itertuples(index=False):
            assert f"{row.path}:{row.line}:" in row.message
            assert "****" not in row.message or row.rule_id in ("TG008", "TG009"), row.message


def test_credentials_in_a_source_url_never_reach_tg002_messages(tmp_path: Path) -> None:
    """TG002 names the unpinned source but hides its userinfo, whether or not the token has a known
    format (the masking pass at the lint exit is not what hides it here)."""
    (tmp_path / "root.hcl").write_text("locals {}\n")
    for name, source in (
        ("gitlab", "git::https://deploy:glpat-Zq0TokenForTg002xyzw@gitlab.com/acme/m.git//app?ref=main"),
        ("plain", "git::https://ci-user:Plain-Pa55-Tg002@git.example.com/acme/m.git//db"),
    ):
        unit = tmp_path / name
        unit.mkdir()
        include = 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
        (unit / "terragrunt.hcl").write_text(f'{include}\nterraform {{\n  source = "{source}"\n}}\n')
    findings = lint(load_tree(tmp_path, cache=False), rules=["TG002"], config={})
    assert len(findings) == 2, findings["message"].tolist()
    for message in findings["message"]:
        for leaked in ("glpat-Zq0TokenForTg002xyzw", "Plain-Pa55-Tg002", "Zq0*", "Pla*"):
            assert leaked not in message, message
        # the rule hides the password itself (the user name stays readable)
        assert re.search(r"://(deploy|ci-user):\*{4}@", message), message
