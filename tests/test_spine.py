"""The spine: errors, secrets masking, atomic writes, the lazy API and CLI, bundled paths."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import opslib
from opslib import _io, _paths
from opslib.cli import SUBCOMMANDS, cli, main
from opslib.errors import MissingDependencyError, OpslibError, ParseError
from opslib.secrets import Masker, is_secret_name, mask, scrub_text


def test_error_renders_path_line_column() -> None:
    err = ParseError("unexpected token", path="a/b.hcl", line=3, column=7)
    assert str(err) == "a/b.hcl:3:7: unexpected token"
    assert isinstance(err, OpslibError) and err.line == 3
    assert str(ParseError("bad")) == "bad"
    assert "pip install 'opslib[test]'" in str(MissingDependencyError("playwright", "test"))


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("db_password", True),
        ("DB_PASSWORD", True),
        ("masterPassword", True),
        ("api_token", True),
        ("private_key", True),
        ("aws_secret_access_key", True),
        ("client_secret", True),
        ("password_length", False),
        ("secret_arn", False),
        ("kms_key_id", False),
        ("instance_type", False),
        ("token_ttl", False),
        ("name", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_masker_scrubs_every_copy_at_any_depth() -> None:
    masker = Masker(["hunter2hunter2", None, True, "ab"])
    value = {"a": ["x", {"b": "conn=postgres://u:hunter2hunter2@h/db"}], "n": 5, "s": "hunter2hunter2"}
    hidden = mask("hunter2hunter2")
    assert masker.scrub(value) == {"a": ["x", {"b": f"conn=postgres://u:{hidden}@h/db"}], "n": 5, "s": hidden}
    assert len(masker) == 1, "short values and booleans are not remembered"
    assert scrub_text("key AKIAABCDEFGHIJKLMNOP here") == f"key {mask('AKIAABCDEFGHIJKLMNOP')} here"


def _append_many(path: str, worker: int) -> None:
    for i in range(20):
        with _io.locked(path):
            data = json.loads(Path(path).read_text())
            data.append([worker, i])
            _io.atomic_write_text(path, json.dumps(data))


def test_locked_atomic_writes_from_many_processes(tmp_path: Path) -> None:
    target = tmp_path / "log.json"
    target.write_text("[]")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(target), w)) for w in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert sorted(map(tuple, json.loads(target.read_text()))) == sorted(
        (w, i) for w in range(4) for i in range(20)
    )
    assert oct(target.stat().st_mode & 0o777) != "0o600"


def test_writer_killed_mid_write_leaves_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    target.write_text('{"ok": true}')
    script = (
        "import os, sys, time\n"
        "from opslib import _io\n"
        "real = os.fsync\n"
        "def slow(fd):\n"
        "    sys.stdout.write('writing\\n'); sys.stdout.flush(); time.sleep(30)\n"
        "os.fsync = slow\n"
        f"_io.atomic_write_text({str(target)!r}, '{{\"half\": ' * 1000)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert json.loads(target.read_text()) == {"ok": True}


def test_lock_timeout_is_an_opslib_error(tmp_path: Path) -> None:
    target = tmp_path / "x"
    with (
        _io.locked(target),
        pytest.raises(OpslibError, match="could not lock"),
        _io.locked(target, timeout=0.1),
    ):
        pass


def test_public_api_is_lazy_and_complete() -> None:
    assert "run_report" in opslib.__all__ and "load_tree" in opslib.__all__
    assert callable(opslib.run_report)
    with pytest.raises(AttributeError):
        opslib.no_such_thing  # noqa: B018


def test_cli_lists_present_subcommands_and_maps_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "report" in out
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        assert name in SUBCOMMANDS
    assert main(["report", "no-such-report"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("opslib: error:") and err.count("\n") == 1
    assert main(["no-such-command"]) == 2


def test_bundled_paths_prefer_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _paths.notebooks_dir() == Path(__file__).resolve().parent.parent / "notebooks"
    monkeypatch.setattr(_paths, "repo_root", lambda: None)
    assert _paths.notebooks_dir() == Path(_paths.__file__).resolve().parent / "_bundled" / "notebooks"


def test_console_script_runs() -> None:
    exe = Path(sys.executable).with_name("opslib")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert "0.1.0" in out.stdout
