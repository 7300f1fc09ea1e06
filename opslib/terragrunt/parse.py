"""Parse HCL files with python-hcl2, keeping line numbers, in parallel, with a disk cache.

The output of :func:`parse_text` is the ``hcl2.loads`` dict shape plus line metadata: every block dict
carries ``__start_line__``/``__end_line__`` and every body carries ``__lines__`` (attribute name ->
``[start, end]``). python-hcl2 8.1 declares a ``with_meta`` option but does not implement it, so the
body is serialised here from its rule tree, which does keep lark's positions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from opslib._io import atomic_write_bytes, locked, read_text
from opslib._private import private_dir, private_file
from opslib.errors import OpslibError

__all__ = [
    "CACHE_VERSION",
    "ParseCache",
    "ParsedFile",
    "default_cache_dir",
    "fix_heredoc_markers",
    "parse_files",
    "parse_text",
]

log = logging.getLogger(__name__)

#: bump when the document shape changes, so stale caches are ignored
CACHE_VERSION = 4  # 4: terragrunt.hcl.json templates keep ${...} raw
#: below this many files to parse, a process pool costs more than it saves
PARALLEL_THRESHOLD = 48
#: show a progress bar only for loads at least this big (and only in a terminal)
PROGRESS_THRESHOLD = 500

_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?$", re.MULTILINE)


@dataclass
class ParsedFile:
    """One file's parse result: the document, or an error with its position."""

    path: str  # relative posix path
    size: int
    mtime_ns: int
    document: dict[str, Any] | None = None
    error: dict[str, Any] | None = None  # {"line", "column", "message"}
    cached: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "mtime_ns": self.mtime_ns, "document": self.document, "error": self.error}


def fix_heredoc_markers(text: str) -> str:
    """Strip blanks after heredoc closing markers (``EOF   ``), which Go HCL accepts and hcl2 rejects.

    Only lines that close an opened heredoc are touched, so line numbers stay the same.
    """
    if "<<" not in text:
        return text
    lines = text.split("\n")
    marker: str | None = None
    changed = False
    for i, line in enumerate(lines):
        if marker is None:
            match = _HEREDOC_OPEN.search(line)
            if match:
                marker = match.group(1)
            continue
        stripped = line.strip()
        if stripped == marker:
            bare = line.rstrip(" \t\r")
            if bare != line.rstrip("\r"):
                lines[i] = bare + ("\r" if line.endswith("\r") else "")
                changed = True
            marker = None
    return "\n".join(lines) if changed else text


def _serialize_body(body: Any, options: Any) -> dict[str, Any]:
    from hcl2.rules.base import AttributeRule, BlockRule

    result: dict[str, Any] = {}
    lines: dict[str, list[int]] = {}
    for child in body.children:
        if isinstance(child, AttributeRule):
            name = child.identifier.serialize(options)
            if name in result:
                meta = child._meta
                raise _DuplicateError(f"attribute {name!r} is defined twice", getattr(meta, "line", None))
            result[name] = child.expression.serialize(options)
            meta = child._meta
            lines[name] = [getattr(meta, "line", 0), getattr(meta, "end_line", 0)]
        elif isinstance(child, BlockRule):
            labels = child.labels
            block = _serialize_body(child.body, options)
            block["__is_block__"] = True
            meta = child._meta
            block["__start_line__"] = getattr(meta, "line", 0)
            block["__end_line__"] = getattr(meta, "end_line", 0)
            value: dict[str, Any] = block
            for label in reversed(labels[1:]):
                value = {label.serialize(options): value}
            name = labels[0].serialize(options)
            if name in lines:
                raise _DuplicateError(f"{name!r} is both an attribute and a block", block["__start_line__"])
            result.setdefault(name, []).append(value)
    result["__lines__"] = lines
    return result


class _DuplicateError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _error_from(exc: BaseException) -> dict[str, Any]:
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    if not isinstance(line, int) or line < 1:
        line = None
    if not isinstance(column, int) or column < 1:
        column = None
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return {"line": line, "column": column, "message": message[:300]}


def parse_text(text: str) -> dict[str, Any]:
    """Parse HCL text into the hcl2 dict shape with line metadata; raises on invalid HCL."""
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_comments=False)
    collapsed = _Collapsed.of(text)
    text = collapsed.text
    try:
        try:
            tree = _parse_rules(text)
        except Exception:
            fixed = fix_heredoc_markers(text)
            if fixed == text:
                raise
            tree = _parse_rules(fixed)
    except Exception as exc:
        line = getattr(exc, "line", None)
        if isinstance(line, int) and collapsed.bodies:
            exc.line = collapsed.original_line(line)  # type: ignore[attr-defined]
        raise
    document = _serialize_body(tree.body, options)
    return collapsed.restore(document) if collapsed.bodies else document


#: a heredoc body at least this long is lifted out before parsing (see :class:`_Collapsed`)
BIG_HEREDOC = 64 * 1024


@dataclass
class _Collapsed:
    """HCL text whose big heredoc bodies are replaced by one placeholder line each.

    The grammar's heredoc token is a lazy ``(?:.|\n)*?``: Python's regex engine keeps a backtracking
    record per character, about 200 bytes each, so a 50 MB heredoc needed 10 GB. Lifting the body out
    and putting it back into the parsed document keeps the cost proportional to the file. Line numbers
    after a lifted body are mapped back to the file's own.
    """

    text: str
    bodies: dict[str, str] = field(default_factory=dict)
    shifts: list[tuple[int, int]] = field(default_factory=list)  # (placeholder line, lines removed)

    @classmethod
    def of(cls, text: str) -> _Collapsed:
        if len(text) < BIG_HEREDOC or "<<" not in text:
            return cls(text)
        import uuid

        result = cls(text)
        token = uuid.uuid4().hex
        pieces: list[str] = []
        pos = 0
        removed = 0
        for opener in _HEREDOC_OPEN.finditer(text):
            if opener.start() < pos or not _code_before(text, opener.start()):
                continue
            body_start = text.find("\n", opener.end()) + 1
            closer = re.compile(rf"^[ \t]*{re.escape(opener.group(1))}[ \t]*\r?$", re.MULTILINE)
            end = closer.search(text, body_start) if body_start else None
            if end is None:
                break
            body_end = end.start() - 1  # the newline before the closing marker
            if body_end - body_start < BIG_HEREDOC:
                continue
            name = f"opslib-heredoc-{token}-{len(result.bodies)}"
            result.bodies[name] = text[body_start:body_end]
            lines = text.count("\n", body_start, body_end) + 1
            line = text.count("\n", 0, body_start) + 1 - removed
            result.shifts.append((line, lines - 1))
            removed += lines - 1
            pieces += [text[pos:body_start], name]
            pos = body_end
        if not result.bodies:
            return cls(text)
        pieces.append(text[pos:])
        result.text = "".join(pieces)
        return result

    def original_line(self, line: int) -> int:
        return line + sum(removed for at, removed in self.shifts if at < line)

    def restore(self, value: Any) -> Any:
        if isinstance(value, str):
            if "opslib-heredoc-" in value:
                for name, body in self.bodies.items():
                    value = value.replace(name, body)
            return value
        if isinstance(value, list):
            return [self.restore(v) for v in value]
        if isinstance(value, dict):
            out = {k: self.restore(v) for k, v in value.items()}
            for key in ("__start_line__", "__end_line__"):
                if isinstance(out.get(key), int):
                    out[key] = self.original_line(out[key])
            lines = out.get("__lines__")
            if isinstance(lines, dict):
                out["__lines__"] = {k: [self.original_line(n) for n in v] for k, v in lines.items()}
            return out
        return value


def _code_before(text: str, index: int) -> bool:
    """Whether ``<<`` at ``index`` follows code, not a comment or an open string, on its line."""
    start = text.rfind("\n", 0, index) + 1
    head = text[start:index]
    return "#" not in head and "//" not in head and head.count('"') % 2 == 0


def _parse_rules(text: str) -> Any:
    """python-hcl2's rule tree for ``text``, built by the fast path when it can be."""
    import hcl2

    lark_tree = _fast_parser().parse(text + "\n")  # hcl2 appends the same newline (lark issue 237)
    try:
        return _FastBuilder().build(lark_tree)
    except Exception:  # anything the fast path does not know: python-hcl2's own transformer decides
        log.debug("fast HCL transform fell back to python-hcl2", exc_info=True)
        return hcl2.parses(text, discard_comments=True)


@functools.lru_cache(maxsize=1)
def _fast_parser() -> Any:
    """hcl2's grammar and post-lexer without position propagation (about a tenth of the parse time).

    Blocks and attributes get their lines from their first and last tokens instead, which is what
    lark's propagated positions hold.
    """
    import hcl2.parser
    from hcl2.postlexer import PostLexer
    from lark import Lark

    return Lark.open(
        "hcl2.lark",
        parser="lalr",
        cache=True,
        rel_to=hcl2.parser.__file__,
        propagate_positions=False,
        postlex=PostLexer(),
    )


class _FastBuilder:
    """Build python-hcl2's rule tree from a lark tree without lark's visitor machinery.

    It calls the very methods of hcl2's ``RuleTransformer`` (so the rule objects are the same), only
    directly: lark's generic dispatch (descriptor wrappers, per-call lookups) costs as much as the rules.
    """

    _methods: dict[str, Callable[..., Any]] | None = None

    def __init__(self) -> None:
        from hcl2.transformer import RuleTransformer

        self.transformer = RuleTransformer(discard_new_line_or_comments=True)
        if _FastBuilder._methods is None:
            _FastBuilder._methods = _rule_methods(RuleTransformer)
        self.methods = _FastBuilder._methods

    def build(self, tree: Any) -> Any:
        from lark import Discard, Token, Tree
        from lark.tree import Meta

        methods = self.methods
        transformer = self.transformer
        token_methods = {
            name: getattr(transformer, name) for name in ("NAME", "INT_LITERAL", "FLOAT_LITERAL")
        }
        default_token = transformer.__default_token__
        empty = Meta()

        def visit(node: Any) -> Any:
            children = []
            for child in node.children:
                if isinstance(child, Tree):
                    result = visit(child)
                elif isinstance(child, Token):
                    handler = token_methods.get(child.type)
                    result = handler(child) if handler is not None else default_token(child)
                else:
                    result = child
                if result is not Discard:
                    children.append(result)
            method = methods[node.data]
            if node.data in ("block", "attribute"):
                meta = Meta()
                first, last = _edge_token(node, 0), _edge_token(node, -1)
                meta.line, meta.end_line = first.line, last.end_line
                meta.empty = False
                return method(transformer, meta, children)
            return method(transformer, empty, children)

        return visit(tree)


def _edge_token(node: Any, index: int) -> Any:
    from lark import Token

    while not isinstance(node, Token):
        children = [c for c in node.children if c is not None]
        node = children[index]
    return node


def _rule_methods(transformer_class: type) -> dict[str, Callable[..., Any]]:
    """Rule name -> the undecorated ``(self, meta, args)`` function of hcl2's transformer."""
    methods: dict[str, Callable[..., Any]] = {}
    for name, value in vars(transformer_class).items():
        base = getattr(value, "base_func", None)
        if base is not None and getattr(value, "visit_wrapper", None) is not None:
            if getattr(value.visit_wrapper, "__name__", "") != "_vargs_meta":
                raise RuntimeError(f"unexpected visitor wrapper for {name}")
            methods[name] = base
    return methods


def _parse_json_config(text: str) -> dict[str, Any]:
    """``terragrunt.hcl.json``: JSON values become the hcl2 shape (strings are templates)."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("a terragrunt.hcl.json file must hold a JSON object")
    return _json_body(data, top=True)


_JSON_BLOCKS_LABELLED = {"include", "dependency", "generate", "feature", "unit", "stack"}
_JSON_BLOCKS = {"locals", "terraform", "remote_state", "dependencies", "exclude", "errors"}


def _json_template(text: str) -> str:
    """A JSON string as python-hcl2 quotes a template: literal parts escaped, ``${...}`` kept raw.

    ``json.dumps`` alone would also escape the quotes inside an interpolation
    (``${find_in_parent_folders(\\"x.hcl\\")}``), which no longer reads as an expression.
    """
    out: list[str] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith(("${", "%{"), i) and not (i > 0 and text[i - 1] == text[i]):
            end = _interpolation_end(text, i + 2)
            if end is not None:
                out.append(json.dumps("".join(literal), ensure_ascii=False)[1:-1])
                literal = []
                out.append(text[i : end + 1])
                i = end + 1
                continue
        literal.append(text[i])
        i += 1
    out.append(json.dumps("".join(literal), ensure_ascii=False)[1:-1])
    return '"' + "".join(out) + '"'


def _interpolation_end(text: str, start: int) -> int | None:
    """Index of the ``}`` closing an interpolation opened before ``start`` (skips strings, braces)."""
    depth = 0
    quote = False
    i = start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == '"':
                quote = False
        elif char == '"':
            quote = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return None


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        return _json_template(value)  # a quoted template; ${...} inside stays an interpolation
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {json.dumps(str(k)): _json_value(v) for k, v in value.items()}
    return value


def _json_body(data: dict[str, Any], top: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {"__lines__": {}}
    for key, value in data.items():
        if top and key in _JSON_BLOCKS_LABELLED and isinstance(value, dict):
            result[key] = [
                {
                    json.dumps(label): {
                        **_json_body(body),
                        "__is_block__": True,
                        "__start_line__": 1,
                        "__end_line__": 1,
                    }
                }
                for label, body in value.items()
                if isinstance(body, dict)
            ]
        elif top and key in _JSON_BLOCKS and isinstance(value, dict):
            result[key] = [
                {**_json_body(value), "__is_block__": True, "__start_line__": 1, "__end_line__": 1}
            ]
        else:
            result[key] = _json_value(value)
            result["__lines__"][key] = [1, 1]
    return result


def _parse_one(root: str, rel: str, size: int, mtime_ns: int) -> ParsedFile:
    result = ParsedFile(path=rel, size=size, mtime_ns=mtime_ns)
    try:  # a regular file under the size limit only: a FIFO or a device never blocks the load
        text = read_text(os.path.join(root, rel), "hcl")
    except OpslibError as exc:
        result.error = {"line": exc.line, "column": exc.column, "message": exc.reason}
        return result
    try:
        if rel.endswith(".json"):
            result.document = _parse_json_config(text)
        elif rel.endswith((".yml", ".yaml")):
            import yaml

            yaml.safe_load(text)  # tags.yml: only checked, the evaluator reads it via file()
            result.document = {"__lines__": {}}
        else:
            result.document = parse_text(text)
    except _DuplicateError as exc:
        result.error = {"line": exc.line, "column": None, "message": str(exc)}
    except RecursionError:
        result.error = {"line": None, "column": None, "message": "file is nested too deeply to parse"}
    except Exception as exc:  # every parser failure becomes an error row, never a traceback
        result.error = _error_from(exc)
        mark = getattr(exc, "problem_mark", None)  # yaml
        if mark is not None:
            result.error["line"] = mark.line + 1
            result.error["column"] = mark.column + 1
    return result


def _parse_chunk(root: str, items: Sequence[tuple[str, int, int]]) -> list[ParsedFile]:
    return [_parse_one(root, rel, size, mtime) for rel, size, mtime in items]


def default_cache_dir() -> Path:
    env = os.environ.get("OPSLIB_CACHE_DIR")
    if env:
        return Path(env) / "tree"
    return Path.home() / ".cache" / "opslib" / "tree"


def _hcl2_version() -> str:
    import hcl2

    return str(getattr(hcl2, "__version__", "unknown"))


@dataclass
class ParseCache:
    """Parsed documents of one tree on disk, keyed on relative path, size and mtime_ns."""

    root: Path
    directory: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    dirty: bool = False

    @classmethod
    def open(cls, root: Path, directory: Path | None) -> ParseCache:
        folder = directory if directory is not None else default_cache_dir()
        cache = cls(root=root, directory=folder)
        cache._load()
        return cache

    @property
    def file(self) -> Path:
        digest = hashlib.sha1(str(self.root).encode()).hexdigest()[:16]
        return self.directory / f"{digest}.json"

    def _load(self) -> None:
        try:
            data = orjson.loads(self.file.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return
        if (
            not isinstance(data, dict)
            or data.get("version") != CACHE_VERSION
            or data.get("hcl2") != _hcl2_version()
            or data.get("root") != str(self.root)
        ):
            return
        entries = data.get("entries")
        if isinstance(entries, dict):
            self.entries = entries

    def get(self, rel: str, size: int, mtime_ns: int) -> ParsedFile | None:
        entry = self.entries.get(rel)
        if entry is None or entry.get("size") != size or entry.get("mtime_ns") != mtime_ns:
            return None
        return ParsedFile(
            path=rel,
            size=size,
            mtime_ns=mtime_ns,
            document=entry.get("document"),
            error=entry.get("error"),
            cached=True,
        )

    def put(self, parsed: ParsedFile) -> None:
        self.entries[parsed.path] = parsed.to_json()
        self.dirty = True

    def prune(self, keep: Iterable[str]) -> None:
        wanted = set(keep)
        for rel in [r for r in self.entries if r not in wanted]:
            del self.entries[rel]
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        payload = {
            "version": CACHE_VERSION,
            "hcl2": _hcl2_version(),
            "root": str(self.root),
            "entries": self.entries,
        }
        try:
            private_dir(self.directory)  # the documents hold secrets as written: owner only
            with locked(self.file, timeout=10):
                private_file(self.file)  # an existing file's mode is kept by the atomic write
                atomic_write_bytes(self.file, orjson.dumps(payload))
                private_file(self.file)
        except Exception as exc:  # a cache that cannot be written only costs speed
            log.warning("cannot write the tree cache %s: %s", self.file, exc)
        self.dirty = False


def _progress(total: int) -> Callable[[int], None]:
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return lambda n: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc="parsing HCL", unit="file", leave=False, file=sys.stderr)

    def update(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return update


def parse_files(
    root: Path,
    files: Sequence[tuple[str, int, int]],
    *,
    jobs: int | None = None,
    cache: ParseCache | None = None,
) -> dict[str, ParsedFile]:
    """Parse ``files`` (relative path, size, mtime_ns), reusing cache hits; parallel when many."""
    results: dict[str, ParsedFile] = {}
    todo: list[tuple[str, int, int]] = []
    for rel, size, mtime in files:
        hit = cache.get(rel, size, mtime) if cache is not None else None
        if hit is not None:
            results[rel] = hit
        else:
            todo.append((rel, size, mtime))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    update = _progress(len(todo))
    if workers <= 1 or len(todo) < PARALLEL_THRESHOLD:
        for item in todo:
            parsed = _parse_one(str(root), *item)
            results[parsed.path] = parsed
            update(1)
    else:
        _warm_parser()
        # big chunks amortise pickling; enough of them to keep every worker busy to the end
        size = max(8, min(256, len(todo) // (workers * 8) or 1))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for chunk_result in pool.map(_parse_chunk, [str(root)] * len(chunks), chunks):
                for parsed in chunk_result:
                    results[parsed.path] = parsed
                update(len(chunk_result))
    if cache is not None:
        for item in todo:
            cache.put(results[item[0]])
    return results


def _warm_parser() -> None:
    # build lark's parser once before forking, so each worker inherits it instead of loading it
    _fast_parser()
