"""The ``opslib`` command: a thin layer over the library.

Each subcommand lives in its own module under ``opslib.cli`` and exposes ``command`` (a click command or
group). They are imported only when invoked, so ``opslib --help`` stays fast. Every ``OpslibError`` is
turned into one line on stderr and exit code 1 here, in one place.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys

import click

from opslib.errors import OpslibError

__all__ = ["SUBCOMMANDS", "cli", "main"]

# subcommand -> module defining ``command``; a module not yet present is simply not offered.
SUBCOMMANDS: dict[str, str] = {
    "report": "opslib.cli.report",
    "init": "opslib.cli.init",
    "history": "opslib.cli.history",
    "tree": "opslib.cli.tree",
    "lint": "opslib.cli.lint",
    "drift": "opslib.cli.drift",
    "plan": "opslib.cli.plan",
    "cost": "opslib.cli.cost",
    "failures": "opslib.cli.failures",
    "incident": "opslib.cli.incident",
    "promote": "opslib.cli.promote",
    "review": "opslib.cli.review",
    "fleet": "opslib.cli.fleet",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, mod in SUBCOMMANDS.items() if importlib.util.find_spec(mod))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = SUBCOMMANDS.get(cmd_name)
        if module is None or importlib.util.find_spec(module) is None:
            return None
        command = importlib.import_module(module).command
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
@click.version_option(package_name="opslib")
def cli(verbose: int) -> None:
    """Understand a Terragrunt-on-AWS platform: history, trees, plans, costs and reports."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 clean, 1 error, 2 findings)."""
    try:
        result = cli.main(args=argv, prog_name="opslib", standalone_mode=False)
    except OpslibError as exc:
        click.echo(f"opslib: error: {exc}", err=True)
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        # one line, like every other error: a wrong path or value is an ordinary mistake
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        click.echo(f"opslib: error: {exc.format_message()}{hint}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
