"""Masking sensitive values in a plan, and every copy of them.

Terraform writes sensitive values in plain text in ``before``/``after`` and says which ones are
sensitive in the parallel ``before_sensitive``/``after_sensitive`` trees. Variables declared
``sensitive`` show their values in ``variables`` and their defaults in ``configuration``. A value that
is sensitive in one place is often copied, unmarked, into another attribute (``terraform_data.output``,
a rendered ``user_data``): every value found sensitive anywhere is fed to one :class:`Masker`, which then
scrubs every row, so the copies go too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opslib.secrets import Masker, is_secret_name, mask, mask_named

__all__ = ["collect_plan_secrets", "mask_marked"]


def mask_marked(value: Any, marks: Any, masker: Masker) -> Any:
    """``value`` with the parts ``marks`` flags sensitive replaced by ``MASK`` (and remembered).

    Values under a name that says it holds a secret (``password``, ``passwords = [...]``,
    ``secret_string``) are masked too, as :func:`opslib.secrets.is_secret` judges them: providers forget
    to mark some of them.
    """
    if marks is True:
        masker.add(value)
        return None if value is None else mask(value)
    if isinstance(value, dict):
        sub = marks if isinstance(marks, dict) else {}
        out: dict[str, Any] = {}
        for key, item in value.items():
            marked = mask_marked(item, sub.get(key), masker)
            out[key] = mask_named({key: marked}, masker)[key] if is_secret_name(key) else marked
        return out
    if isinstance(value, list):
        subl = marks if isinstance(marks, list) else []
        return [mask_marked(item, subl[i] if i < len(subl) else None, masker) for i, item in enumerate(value)]
    return value


def _sensitive_variables(module: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    variables = module.get("variables") or {}
    # real plans write a map name -> declaration; accept a list of declarations too
    items = (
        variables.items()
        if isinstance(variables, dict)
        else ((str(v.get("name")), v) for v in variables if isinstance(v, dict))
    )
    for name, decl in items:
        if isinstance(decl, dict) and decl.get("sensitive"):
            yield name, decl
    for call in (module.get("module_calls") or {}).values():
        if isinstance(call, dict) and isinstance(call.get("module"), dict):
            yield from _sensitive_variables(call["module"])


def _state_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _state_resources(child)


def collect_plan_secrets(plan: dict[str, Any], masker: Masker) -> None:
    """Teach ``masker`` every sensitive value ``plan`` holds, wherever Terraform marks it."""
    root = (plan.get("configuration") or {}).get("root_module") or {}
    values = plan.get("variables") or {}
    for name, decl in _sensitive_variables(root):
        masker.add(decl.get("default"))
        entry = values.get(name)
        if isinstance(entry, dict):
            masker.add(entry.get("value"))
    for name, entry in values.items():
        if is_secret_name(name) and isinstance(entry, dict):
            masker.add(entry.get("value"))
    for key in ("resource_changes", "resource_drift"):
        for rc in plan.get(key) or []:
            change = rc.get("change") or {} if isinstance(rc, dict) else {}
            mask_marked(change.get("before"), change.get("before_sensitive"), masker)
            mask_marked(change.get("after"), change.get("after_sensitive"), masker)
    for change in (plan.get("output_changes") or {}).values():
        if isinstance(change, dict):
            mask_marked(change.get("before"), change.get("before_sensitive"), masker)
            mask_marked(change.get("after"), change.get("after_sensitive"), masker)
    for key in ("prior_state", "planned_values"):
        section = plan.get(key) or {}
        module = section.get("values", section).get("root_module") if isinstance(section, dict) else None
        for res in _state_resources(module or {}):
            if isinstance(res, dict):
                mask_marked(res.get("values"), res.get("sensitive_values"), masker)
        outputs = (section.get("values", section) if isinstance(section, dict) else {}).get("outputs") or {}
        for out in outputs.values():
            if isinstance(out, dict) and out.get("sensitive"):
                masker.add(out.get("value"))
