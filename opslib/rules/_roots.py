"""Which files units include as their root, and which roots (and units) are AWS ones.

A unit's root is the file it includes as ``include "root"``; without such a label, its bare ``include
{}``, else an included ``root.hcl`` / ``terragrunt.hcl``. A locals file read with
``read_terragrunt_config`` (or included under another label, such as ``_envcommon``) is not a root.

A root is an AWS root when, evaluated for the units that include it, it configures an ``s3`` backend or
generates an ``aws`` provider (or an ``s3`` backend). TG013-TG015 are AWS conventions and apply there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from opslib.rules import _eval
from opslib.rules._base import LintContext, blocks, literal
from opslib.rules._hcl import raw_text

__all__ = [
    "aws_folder",
    "aws_units",
    "backends",
    "generated_texts",
    "is_aws_file",
    "names_aws",
    "root_files",
    "unit_roots",
]

_ROOT_NAMES = ("root.hcl", "terragrunt.hcl", "terragrunt.hcl.json")
_AWS_TEXT = re.compile(r"""provider\s+"?aws"?\s*\{|backend\s+"?s3"?\s*\{""")
#: evaluating the same root for thousands of units tells nothing new: a few contexts are enough
MAX_CONTEXTS = 5


def _cache(ctx: LintContext) -> dict[str, Any]:
    cache = getattr(ctx, "_roots_cache", None)
    if cache is None:
        cache = {}
        ctx._roots_cache = cache  # type: ignore[attr-defined]
    return cache


def unit_roots(ctx: LintContext) -> dict[str, str]:
    """Unit id -> the file it includes as its root (units without one are left out)."""
    cache = _cache(ctx)
    if "unit_roots" not in cache:
        out: dict[str, str] = {}
        for row in ctx.unit_rows:
            root = _root_of(row.get("includes") or [])
            if root is not None and root in ctx.documents:
                out[str(row["unit"])] = root
        cache["unit_roots"] = out
    return dict(cache["unit_roots"])


def _root_of(includes: Iterable[Any]) -> str | None:
    items = [i for i in includes if isinstance(i, Mapping) and isinstance(i.get("path"), str)]
    for wanted in (
        lambda i: i.get("label") == "root",
        lambda i: i.get("label") is None,
        lambda i: PurePosixPath(str(i["path"])).name in _ROOT_NAMES,
    ):
        for include in items:
            if wanted(include):
                return str(include["path"])
    return None


def root_files(ctx: LintContext) -> list[str]:
    """Files some unit includes as its root, and every ``root.hcl`` that configures state or generates
    files (a root whose units come from a catalog outside the tree still is one)."""
    named = [
        path
        for path, document in ctx.documents.items()
        if PurePosixPath(path).name == "root.hcl" and ("remote_state" in document or "generate" in document)
    ]
    return sorted(set(unit_roots(ctx).values()) | set(named))


def generated_texts(ctx: LintContext, path: str) -> tuple[list[str], bool]:
    """The contents of every ``generate`` block of ``path`` as terragrunt renders them for the units
    that use the file (the text as written when it cannot be evaluated but interpolates nothing), and
    whether some contents could not be evaluated at all."""
    texts: list[str] = []
    unknown = False
    document = ctx.documents.get(path) or {}
    if "generate" not in document:
        return [], False
    raw_contents = [b.get("contents") for _, b in blocks(document, "generate")]
    contexts = list(_eval.file_values(ctx, path, "generate"))[:MAX_CONTEXTS]
    for _, _, value in contexts:
        for body in _generate_bodies(value):
            contents = body.get("contents") if isinstance(body, Mapping) else body
            if isinstance(contents, str):
                texts.append(contents)
            else:
                unknown = True
    if not contexts or unknown:
        # what is written still counts: a heredoc whose interpolations are unknown still spells
        # `provider "aws"` and `default_tags`; when every interpolation sits inside a quoted string
        # (`region = "${local.region}"`) none can add a block, so the text as written is the whole story
        written = [raw_text(c) for c in raw_contents if c is not None]
        texts.extend(written)
        unknown = unknown and not all(_only_quoted_interpolations(t) for t in written)
    return texts, unknown


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _only_quoted_interpolations(text: str) -> bool:
    """Every ``${...}`` of a heredoc is inside a quoted string (a value, never a whole block)."""
    body = text[1:-1] if text.startswith('"<<') and text.endswith('"') else text
    if body.startswith("<<"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
    else:
        return "${" not in body  # a plain expression (a local, file()...) could be anything
    return "${" not in _QUOTED.sub('""', body)


def _generate_bodies(value: Any) -> list[Any]:
    if isinstance(value, _eval.Unknown):
        return [value]
    if not isinstance(value, Mapping):
        return []
    if "contents" in value and not isinstance(value.get("contents"), Mapping):
        return [value]  # one unlabelled block
    return list(value.values())


def backends(ctx: LintContext, path: str) -> tuple[list[str], bool]:
    """Backends of the file's ``remote_state`` (evaluated; as written when not), and whether the
    backend is unknown: written, but neither evaluated nor a literal."""
    found: list[str] = []
    document = ctx.documents.get(path) or {}
    written = [literal(b.get("backend")) for _, b in blocks(document, "remote_state")]
    if "remote_state" not in document:
        return [], False
    for _, _, value in list(_eval.file_values(ctx, path, "remote_state"))[:MAX_CONTEXTS]:
        backend = value.get("backend") if isinstance(value, Mapping) else value
        if isinstance(backend, str):
            found.append(backend.lower())
    found.extend(str(b).lower() for b in written if isinstance(b, str))
    # a remote_state is written: finding no backend (an evaluator failure, `backend = local.x` in a file
    # nothing evaluates) means not knowing it, never that there is none
    return sorted(set(found)), not found


def is_aws_file(ctx: LintContext, path: str) -> bool:
    """The file configures an s3 backend or generates an aws provider (or s3 backend)."""
    cache = _cache(ctx).setdefault("aws", {})
    if path not in cache:
        names, _ = backends(ctx, path)
        texts, _ = generated_texts(ctx, path)
        cache[path] = "s3" in names or any(_AWS_TEXT.search(t) for t in texts)
    return bool(cache[path])


def aws_units(ctx: LintContext) -> set[str]:
    """Units whose root or own file is an AWS one."""
    cache = _cache(ctx)
    if "aws_units" not in cache:
        roots = unit_roots(ctx)
        out = set()
        for row in ctx.unit_rows:
            unit = str(row["unit"])
            files = [str(row.get("path") or ""), roots.get(unit, "")]
            if any(f and f in ctx.documents and is_aws_file(ctx, f) for f in files):
                out.add(unit)
        cache["aws_units"] = out
    return set(cache["aws_units"])


_AWS_REGION = re.compile(r"\b(us|eu|ap|sa|ca|me|af|il|mx|cn)-(gov-)?[a-z]+-\d\b")
_AWS_ACCOUNT_ID = re.compile(r'"\d{12}"')


def names_aws(ctx: LintContext, path: str) -> bool:
    """An account.hcl or region.hcl that itself speaks AWS: an ``aws_`` local, a 12-digit account id or
    an AWS region name (``eu-west-1``; GCP's ``europe-west1`` and Azure's ``westeurope`` are not)."""
    text = "\n".join(ctx.lines(path))
    return bool(
        re.search(r"(^|\s)aws_\w+\s*=", text, re.M)
        or _AWS_ACCOUNT_ID.search(text)
        or _AWS_REGION.search(text)
    )


def aws_folder(ctx: LintContext, folder: str) -> bool:
    """Some unit under ``folder`` (``""`` for the tree root) is an AWS unit."""
    return any(folder == "" or u == folder or u.startswith(folder + "/") for u in aws_units(ctx))
