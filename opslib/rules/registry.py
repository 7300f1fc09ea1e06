"""The rule registry: imports every rule module once and lists the rules in id order."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from opslib.errors import ConfigError
from opslib.rules._base import REGISTRY, Rule

__all__ = ["RULE_MODULES", "all_rules", "get_rule", "select_rules"]

#: one module per rule or per small family; importing a module registers its rules
RULE_MODULES = (
    "opslib.rules.tg001_include",
    "opslib.rules.tg002_source",
    "opslib.rules.tg003_dependency",
    "opslib.rules.tg005_generate",
    "opslib.rules.tg006_state",
    "opslib.rules.tg008_secrets",
    "opslib.rules.tg010_workspace",
    "opslib.rules.tg011_lockfile",
    "opslib.rules.tg012_accounts",
    "opslib.rules.tg013_config_files",
)


def _load() -> None:
    for module in RULE_MODULES:
        importlib.import_module(module)


def all_rules() -> list[Rule]:
    """Every registered rule, in id order."""
    _load()
    return [REGISTRY[key] for key in sorted(REGISTRY)]


def get_rule(rule_id: str) -> Rule:
    _load()
    try:
        return REGISTRY[rule_id.upper()]
    except KeyError:
        raise ConfigError(f"unknown rule id {rule_id!r}; known: {', '.join(sorted(REGISTRY))}") from None


def select_rules(rule_ids: Iterable[str] | None = None, disabled: Iterable[str] = ()) -> list[Rule]:
    """The rules to run: the ``rule_ids`` asked for by name, else every rule not ``disabled`` (asking for a
    rule by name runs it even when the configuration disables it)."""
    if rule_ids is not None:
        return sorted({r.id: r for r in (get_rule(i) for i in rule_ids)}.values(), key=lambda r: r.id)
    skip = {d.upper() for d in disabled}
    return [r for r in all_rules() if r.id not in skip]
