"""Fleet reports: the fleet file, a two-project run with its index, and a broken project failing alone."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from opslib.cli import main
from opslib.errors import ConfigError
from opslib.fleet import load_fleet, run_fleet

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notebooks")]


def _project(folder: Path, history: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "opslib.toml").write_text(
        f'[inputs]\nhistory = "{history}"\ntree = "{SAMPLE / "infrastructure-live"}"\n'
        "[reports]\nstale_after_days = 100000\n"
    )
    return folder


def _fleet(base: Path, body: str) -> Path:
    path = base / "fleet.toml"
    path.write_text(textwrap.dedent(body))
    return path


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("fleet")
    _project(base / "payments-live", SAMPLE / "project")
    broken = _project(base / "identity-live", SAMPLE / "project")
    # the identity project's history went missing: its project file no longer loads
    (broken / "opslib.toml").write_text(f'[inputs]\nhistory = "{base / "gone"}"\n')
    _project(base / "search-live", SAMPLE / "project")
    fleet = _fleet(
        base,
        """\
        [fleet]
        jobs = 1

        [[projects]]
        name = "payments"
        path = "payments-live"
        reports = ["overview"]
        [projects.parameters.overview]
        weeks = 8

        [[projects]]
        name = "identity"
        path = "identity-live"
        reports = ["overview"]

        [[projects]]
        path = "search-live"
        reports = ["overview", "drift_report"]
        """,
    )
    out = base / "out"
    return fleet, out, run_fleet(fleet, out)


def test_every_project_runs_into_its_folder_and_the_index_lists_them(fleet_run):
    _, out, result = fleet_run
    assert (out / "payments" / "overview.html").is_file()
    assert (out / "search-live" / "overview.html").is_file()  # name defaults to the folder's
    assert (out / "payments" / "index.html").is_file()
    index = (out / "index.html").read_text()
    for name in ("payments", "identity", "search-live"):
        assert f">{name}<" in index
    assert "drift_report" in index and "skipped" in index  # no plans in that project: said, not run
    statuses = {p.name: p.status for p in result.projects}
    assert statuses == {"payments": "ok", "identity": "failed", "search-live": "ok"}


def test_a_broken_project_fails_alone(fleet_run):
    _, out, result = fleet_run
    identity = next(p for p in result.projects if p.name == "identity")
    assert "no such" in identity.error or "does not exist" in identity.error
    assert result.exit_code == 1
    index = (out / "index.html").read_text()
    assert "<td>failed</td>" in index and "<td>ok</td>" in index


def test_cli_exit_codes(fleet_run, tmp_path, capsys):
    fleet, out, _ = fleet_run
    good = _fleet(
        tmp_path,
        f"""\
        [[projects]]
        name = "payments"
        path = "{fleet.parent / "payments-live"}"
        reports = ["overview"]
        """,
    )
    assert main(["fleet", "report", str(good), "--out", str(tmp_path / "o")]) == 0
    assert "1 projects ok, 0 failed" in capsys.readouterr().out
    assert main(["fleet", "report", str(fleet), "--out", str(out), "--jobs", "1"]) == 1
    printed = capsys.readouterr().out
    assert "identity: failed:" in printed and "payments/overview: ok" in printed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[fleet]\njobs = 0\n[[projects]]\npath = '.'\n", "fleet.jobs"),
        ("[[projects]]\npath = 'nowhere'\n", "projects[0].path does not exist"),
        ("[[projects]]\npath = '.'\ncolour = 'red'\n", "unknown key projects[0].colour"),
        ("[[projects]]\npath = '.'\nname = 'a'\n[[projects]]\npath = '.'\nname = 'a'\n", "two projects"),
        ("[[projects]]\npath = '.'\nname = '../up'\n", "plain folder name"),
        ("[fleet]\n", "no [[projects]]"),
        ("[[projects]\n", "not a TOML file"),
    ],
)
def test_bad_fleet_files_name_the_key(tmp_path, body, message):
    path = tmp_path / "fleet.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        load_fleet(path)
    assert str(path) in str(info.value)
