"""Pure HCL/Terraform functions the evaluator may call: no I/O, no environment, no processes.

Functions that depend on the tree (paths, files, includes, env) live in :mod:`opslib.terragrunt.evaluate`.
Every function here receives already-evaluated arguments; the evaluator has already turned a call with
an unknown argument into :class:`Unknown` unless the function is listed in ``UNKNOWN_AWARE``.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import math
import os
import posixpath
import re
from collections.abc import Callable
from typing import Any

import yaml

__all__ = ["FUNCTIONS", "MAX_NUMBER", "FunctionError", "checked_number", "hcl_str", "to_json"]


class FunctionError(ValueError):
    """A function was called with arguments it cannot take (HCL would fail the same way)."""


def hcl_str(value: Any) -> str:
    """A value as HCL converts it to a string (templates, join, format %s)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if value is None:
        raise FunctionError("cannot use a null value in a string")
    raise FunctionError(f"cannot convert a {type(value).__name__} to a string")


def to_json(value: Any) -> str:
    # Go's cty marshals objects with sorted keys and no spaces
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise FunctionError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError as exc:
                raise FunctionError(f"{value!r} is not a number") from exc
    raise FunctionError(f"{value!r} is not a number")


def _list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    raise FunctionError(f"expected a list, got {type(value).__name__}")


def _merge(*maps: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise FunctionError("merge takes maps or objects")
        result.update(item)
    return result


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if not isinstance(mapping, dict):
        raise FunctionError("lookup takes a map")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f"lookup: no key {key!r} and no default")


def _format(fmt: str, *args: Any) -> str:
    out: list[str] = []
    i = 0
    arg = 0
    pattern = re.compile(r"%(\[(\d+)\])?([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")
    while i < len(fmt):
        m = pattern.match(fmt, i) if fmt[i] == "%" else None
        if not m:
            out.append(fmt[i])
            i += 1
            continue
        i = m.end()
        verb = m.group(6)
        if verb == "%":
            out.append("%")
            continue
        if m.group(2):
            arg = int(m.group(2)) - 1
        if arg >= len(args):
            raise FunctionError("format: not enough arguments")
        value = args[arg]
        arg += 1
        width = int(m.group(4)) if m.group(4) else 0
        prec = int(m.group(5)) if m.group(5) else None
        if verb in ("s", "v"):
            text = hcl_str(value) if not isinstance(value, (list, dict)) else to_json(value)
        elif verb == "q":
            text = json.dumps(hcl_str(value))
        elif verb == "d":
            text = str(int(to_number(value)))
        elif verb in ("f", "e", "g"):
            text = f"{float(to_number(value)):.{prec if prec is not None else 6}{verb}}"
        elif verb in ("x", "X", "o", "b"):
            text = format(int(to_number(value)), verb)
        elif verb == "t":
            text = hcl_str(bool(value))
        else:
            raise FunctionError(f"format: unsupported verb %{verb}")
        flags = m.group(3) or ""
        if width:
            text = text.ljust(width) if "-" in flags else text.rjust(width, "0" if "0" in flags else " ")
        out.append(text)
    return "".join(out)


def _replace(text: str, old: str, new: str) -> str:
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        pattern = _go_regex(old[1:-1])
        return pattern.sub(_go_repl(new), text)
    return text.replace(old, new)


def _go_regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2, the engine Terraform uses: same syntax, and linear time.

    A backtracking engine takes exponential time on patterns such as ``(a+)+$``; RE2 cannot.
    """
    import re2  # google-re2

    options = re2.Options()
    options.log_errors = False  # a bad pattern is an error row, not a line on stderr
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise FunctionError(f"invalid regular expression {pattern!r}: {reason}") from None


def _go_repl(template: str) -> str:
    return re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", template)


def _regex(pattern: str, text: str) -> Any:
    m = _go_regex(pattern).search(text)
    if not m:
        raise FunctionError("regex: no match")
    if m.groupdict():
        return m.groupdict()
    if m.groups():
        return list(m.groups())
    return m.group(0)


def _regexall(pattern: str, text: str) -> list[Any]:
    compiled = _go_regex(pattern)
    out: list[Any] = []
    for m in compiled.finditer(text):
        if m.groupdict():
            out.append(m.groupdict())
        elif m.groups():
            out.append(list(m.groups()))
        else:
            out.append(m.group(0))
    return out


def _flatten(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(value):
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _distinct(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(value):
        if item not in out:
            out.append(item)
    return out


def _coalesce(*args: Any) -> Any:
    for item in args:
        if item is not None and item != "":
            return item
    raise FunctionError("coalesce: no non-null, non-empty argument")


def _substr(text: str, offset: int, length: int) -> str:
    if offset < 0:
        offset = max(0, len(text) + offset)
    return text[offset:] if length < 0 else text[offset : offset + length]


def _element(value: Any, index: int) -> Any:
    items = _list(value)
    if not items:
        raise FunctionError("element: empty list")
    return items[int(index) % len(items)]


def _one(value: Any) -> Any:
    items = _list(value)
    if len(items) > 1:
        raise FunctionError("one: more than one element")
    return items[0] if items else None


def _range(*args: Any) -> list[Any]:
    nums = [to_number(a) for a in args]
    start: int | float
    stop: int | float
    step: int | float
    if len(nums) == 1:
        start, stop, step = 0, nums[0], 1
    elif len(nums) == 2:
        start, stop, step = nums[0], nums[1], 1 if nums[1] >= nums[0] else -1
    else:
        start, stop, step = nums
    if step == 0:
        raise FunctionError("range: step must not be 0")
    out: list[Any] = []
    value = start
    while (step > 0 and value < stop) or (step < 0 and value > stop):
        out.append(value)
        value += step
        if len(out) > 1024:
            raise FunctionError("range: more than 1024 elements")
    return out


# libyaml's loader where PyYAML was built with it: the same documents, several times faster
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yamldecode(text: str) -> Any:
    # every unit of a platform decodes the same few tags.yml files: each text is read once, and each
    # caller gets its own copy to change
    return copy.deepcopy(_yaml_document(text))


@functools.lru_cache(maxsize=256)
def _yaml_document(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # a safe loader: CSafeLoader or SafeLoader
    except yaml.YAMLError as exc:
        raise FunctionError(f"yamldecode: {str(exc).splitlines()[0]}") from exc


def _jsondecode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FunctionError(f"jsondecode: {exc}") from exc


def _tonumber(value: Any) -> Any:
    return None if value is None else to_number(value)


def _tobool(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise FunctionError(f"tobool: {value!r} is not a bool")


def _tostring(value: Any) -> Any:
    return None if value is None else hcl_str(value)


def _keys(value: Any) -> list[Any]:
    if not isinstance(value, dict):
        raise FunctionError("keys takes a map")
    return sorted(value)


def _values(value: Any) -> list[Any]:
    if not isinstance(value, dict):
        raise FunctionError("values takes a map")
    return [value[k] for k in sorted(value)]


def _length(value: Any) -> int:
    if isinstance(value, (str, list, dict, tuple)):
        return len(value)
    raise FunctionError("length takes a string, list or map")


def _sort(value: Any) -> list[Any]:
    return sorted(hcl_str(v) for v in _list(value))


def _trim(text: str, chars: str) -> str:
    return text.strip(chars)


def _split(sep: str, text: str) -> list[str]:
    if sep == "":
        return list(text)
    return text.split(sep)


def _join(sep: str, *lists: Any) -> str:
    items: list[Any] = []
    for item in lists:
        items.extend(_list(item))
    return sep.join(hcl_str(v) for v in items)


def _indent(spaces: int, text: str) -> str:
    pad = " " * int(spaces)
    return text.replace("\n", "\n" + pad)


def _base64decode(text: str) -> str:
    try:
        return base64.b64decode(text.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise FunctionError(f"base64decode: {exc}") from exc


def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    return dict(zip(_list(keys), _list(values), strict=False))


def _setop(op: str) -> Callable[..., list[Any]]:
    def run(*sets: Any) -> list[Any]:
        lists = [_distinct(s) for s in sets]
        if not lists:
            return []
        out = list(lists[0])
        for other in lists[1:]:
            if op == "union":
                out += [v for v in other if v not in out]
            elif op == "intersection":
                out = [v for v in out if v in other]
            else:
                out = [v for v in out if v not in other]
        return out

    return run


#: the largest magnitude a number may reach (Terraform's float range); beyond it, an error row
MAX_NUMBER = 1.7976931348623157e308


def checked_number(value: int | float) -> int | float:
    """``value`` unchanged, or a FunctionError when it is beyond any number a real config holds.

    Integers grow without bound in Python; a 100,000-digit one cannot even be printed.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 1024:
            raise FunctionError(f"number too large (about {int(value.bit_length() * 0.30103)} digits)")
    elif isinstance(value, float) and math.isinf(value):
        raise FunctionError("number too large")
    return value


def _pow(base: int | float, exponent: int | float) -> int | float:
    if base not in (0, 1, -1) and abs(exponent) > 1:
        # log10 of the result, without computing it: refuse before a huge integer is built
        magnitude = abs(exponent) * math.log10(abs(base)) if base else 0.0
        if exponent > 0 and magnitude > 308:
            raise FunctionError(f"pow({base}, {exponent}): result too large (about 1e{int(magnitude)})")
    try:
        return checked_number(base**exponent)
    except (OverflowError, ZeroDivisionError) as exc:
        raise FunctionError(f"pow({base}, {exponent}): {exc}") from None


def _pathdir(text: str) -> str:
    return posixpath.dirname(text.rstrip("/")) or "."


FUNCTIONS: dict[str, Callable[..., Any]] = {
    # maps and collections
    "merge": _merge,
    "lookup": _lookup,
    "concat": lambda *lists: [v for item in lists for v in _list(item)],
    "coalesce": _coalesce,
    "coalescelist": lambda *lists: next((lst for lst in lists if _list(lst)), []),
    "compact": lambda value: [v for v in _list(value) if v not in (None, "")],
    "contains": lambda value, item: item in _list(value),
    "distinct": _distinct,
    "element": _element,
    "flatten": _flatten,
    "index": lambda value, item: _list(value).index(item),
    "keys": _keys,
    "values": _values,
    "length": _length,
    "reverse": lambda value: list(reversed(_list(value))),
    "slice": lambda value, a, b: _list(value)[int(a) : int(b)],
    "sort": _sort,
    "tolist": lambda value: _list(value),
    "toset": lambda value: _distinct(value),
    "tomap": lambda value: dict(value),
    "zipmap": _zipmap,
    "one": _one,
    "range": _range,
    "alltrue": lambda value: all(v is True for v in _list(value)),
    "anytrue": lambda value: any(v is True for v in _list(value)),
    "sum": lambda value: sum(to_number(v) for v in _list(value)),
    "setunion": _setop("union"),
    "setintersection": _setop("intersection"),
    "setsubtract": _setop("subtract"),
    "transpose": lambda m: {v: [k for k in sorted(m) if v in m[k]] for vs in m.values() for v in vs},
    # strings
    "format": _format,
    "formatlist": lambda fmt, *lists: [
        _format(fmt, *row) for row in zip(*[_list(lst) for lst in lists], strict=False)
    ],
    "join": _join,
    "split": _split,
    "replace": _replace,
    "lower": lambda text: text.lower(),
    "upper": lambda text: text.upper(),
    "title": lambda text: text.title(),
    "trimspace": lambda text: text.strip(),
    "trim": _trim,
    "trimprefix": lambda text, p: text[len(p) :] if p and text.startswith(p) else text,
    "trimsuffix": lambda text, s: text[: -len(s)] if s and text.endswith(s) else text,
    "chomp": lambda text: text.rstrip("\r\n"),
    "indent": _indent,
    "substr": _substr,
    "strrev": lambda text: text[::-1],
    "startswith": lambda text, p: text.startswith(p),
    "endswith": lambda text, s: text.endswith(s),
    "strcontains": lambda text, s: s in text,
    "regex": _regex,
    "regexall": _regexall,
    # numbers
    "abs": lambda x: abs(to_number(x)),
    "ceil": lambda x: math.ceil(to_number(x)),
    "floor": lambda x: math.floor(to_number(x)),
    "max": lambda *xs: max(to_number(x) for x in xs),
    "min": lambda *xs: min(to_number(x) for x in xs),
    "pow": lambda a, b: _pow(to_number(a), to_number(b)),
    "signum": lambda x: (to_number(x) > 0) - (to_number(x) < 0),
    "parseint": lambda text, base: int(text, int(base)),
    # conversions and encodings
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "jsonencode": to_json,
    "jsondecode": _jsondecode,
    "yamldecode": _yamldecode,
    "yamlencode": lambda value: yaml.safe_dump(value, sort_keys=True, default_flow_style=False),
    "base64encode": lambda text: base64.b64encode(text.encode()).decode(),
    "base64decode": _base64decode,
    "md5": lambda text: hashlib.md5(text.encode()).hexdigest(),
    "sha1": lambda text: hashlib.sha1(text.encode()).hexdigest(),
    "sha256": lambda text: hashlib.sha256(text.encode()).hexdigest(),
    "sha512": lambda text: hashlib.sha512(text.encode()).hexdigest(),
    "urlencode": lambda text: __import__("urllib.parse").parse.quote(text, safe=""),
    # paths (pure string operations)
    "basename": lambda text: os.path.basename(text.rstrip("/")) if text.rstrip("/") else text,
    "dirname": _pathdir,
    "mark_as_read": lambda path: path,
    "sensitive": lambda value: value,
    "nonsensitive": lambda value: value,
}
