"""A small HCL expression parser for the strings python-hcl2 leaves in its dicts.

python-hcl2 returns every non-literal value as source text (``"${local.x}"``, ``'"a-${b}"'``,
``"upper(x)"``). Evaluating those needs an expression parser; this one is a hand-written recursive
descent over the text (templates, heredocs, for expressions, splats, operators, calls) producing
tuples, memoised by text because the same expressions repeat across thousands of units.

AST nodes (tuples, first item the tag):
``("lit", v)``, ``("tmpl", parts)`` (parts: str | ("i", node) | ("if", c, then, else) |
("for", k, v, coll, body)), ``("var", name)``, ``("attr", obj, name)``, ``("index", obj, node)``,
``("splat", obj, ops)``, ``("call", name, args, expand)``, ``("tuple", items)``,
``("object", [(key_node, value_node)])``, ``("cond", c, a, b)``, ``("bin", op, l, r)``,
``("un", op, x)``, ``("tfor", k, v, coll, value, cond)``, ``("ofor", k, v, coll, key, value, group, cond)``.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["ExprSyntaxError", "compile_template", "compile_text", "compile_value"]

Node = tuple[Any, ...]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:::[A-Za-z_][A-Za-z0-9_-]*)*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?\n")
_WS = re.compile(r"(?:\s+|#[^\n]*|//[^\n]*|/\*.*?\*/)+", re.S)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_BINARY = [("||",), ("&&",), ("==", "!="), ("<=", ">=", "<", ">"), ("+", "-"), ("*", "/", "%")]


class ExprSyntaxError(ValueError):
    """An expression the parser cannot read."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)
        self.strip_next = False

    # -- scanning ---------------------------------------------------------------------------------
    def ws(self) -> None:
        m = _WS.match(self.s, self.i)
        if m:
            self.i = m.end()

    def peek(self, tok: str) -> bool:
        self.ws()
        return self.s.startswith(tok, self.i)

    def accept(self, tok: str) -> bool:
        if self.peek(tok):
            self.i += len(tok)
            return True
        return False

    def expect(self, tok: str) -> None:
        if not self.accept(tok):
            raise self.error(f"expected {tok!r}")

    def error(self, msg: str) -> ExprSyntaxError:
        return ExprSyntaxError(f"{msg} at offset {self.i} in {self.s[:80]!r}")

    def keyword(self, word: str) -> bool:
        self.ws()
        m = _IDENT.match(self.s, self.i)
        if m and m.group(0) == word:
            self.i = m.end()
            return True
        return False

    def ident(self) -> str:
        self.ws()
        m = _IDENT.match(self.s, self.i)
        if not m:
            raise self.error("expected a name")
        self.i = m.end()
        return m.group(0)

    # -- expressions ------------------------------------------------------------------------------
    def expr(self) -> Node:
        cond = self.binary(0)
        if self.accept("?"):
            a = self.expr()
            self.expect(":")
            b = self.expr()
            return ("cond", cond, a, b)
        return cond

    def binary(self, level: int) -> Node:
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            self.ws()
            op = next((o for o in _BINARY[level] if self.s.startswith(o, self.i)), None)
            # "=>" and "==" are not "=" ; "<<" starts a heredoc, not "<"
            if op is None or (op in ("<", ">") and self.s.startswith(("<<", ">="), self.i)):
                return left
            if op == ">" and self.s.startswith("=>", self.i - 1):
                return left
            self.i += len(op)
            right = self.binary(level + 1)
            left = ("bin", op, left, right)

    def unary(self) -> Node:
        self.ws()
        if self.s.startswith("!", self.i) and not self.s.startswith("!=", self.i):
            self.i += 1
            return ("un", "!", self.unary())
        if self.s.startswith("-", self.i):
            self.i += 1
            operand = self.unary()
            if operand[0] == "lit" and isinstance(operand[1], (int, float)):
                return ("lit", -operand[1])
            return ("un", "-", operand)
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            self.ws()
            if self.s.startswith(".", self.i) and not self.s.startswith("...", self.i):
                self.i += 1
                self.ws()
                if self.accept("*"):
                    return ("splat", node, self.splat_ops())
                m = _NUMBER.match(self.s, self.i)
                if m and m.group(0).isdigit():
                    self.i = m.end()
                    node = ("index", node, ("lit", int(m.group(0))))
                else:
                    node = ("attr", node, self.ident())
            elif self.s.startswith("[", self.i):
                self.i += 1
                if self.accept("*"):
                    self.expect("]")
                    return ("splat", node, self.splat_ops())
                key = self.expr()
                self.expect("]")
                node = ("index", node, key)
            else:
                return node

    def splat_ops(self) -> list[Node]:
        ops: list[Node] = []
        while True:
            self.ws()
            if self.s.startswith(".", self.i) and not self.s.startswith("...", self.i):
                self.i += 1
                ops.append(("attr", None, self.ident()))
            elif self.s.startswith("[", self.i) and not self.s.startswith("[*", self.i):
                self.i += 1
                key = self.expr()
                self.expect("]")
                ops.append(("index", None, key))
            else:
                return ops

    def primary(self) -> Node:
        self.ws()
        if self.i >= self.n:
            raise self.error("unexpected end of expression")
        c = self.s[self.i]
        if c == '"':
            m = _HEREDOC.match(self.s, self.i + 1)
            if m:  # python-hcl2 writes a heredoc argument of a call as "<<EOT\n...\nEOT"
                node = self.quoted_heredoc(m)
                if node is not None:
                    return node
            self.i += 1
            return self.template('"')
        if c == "<":
            m = _HEREDOC.match(self.s, self.i)
            if m:
                return self.heredoc(m)
        m = _NUMBER.match(self.s, self.i)
        if m:
            self.i = m.end()
            text = m.group(0)
            value: int | float = int(text) if text.isdigit() else float(text)
            return ("lit", value)
        if c == "(":
            self.i += 1
            inner = self.expr()
            self.expect(")")
            return ("paren", inner)
        if c == "[":
            self.i += 1
            return self.tuple_or_for()
        if c == "{":
            self.i += 1
            return self.object_or_for()
        if c == "$" and self.s.startswith("${", self.i):  # a stray wrapper: "${x}" as a whole value
            self.i += 2
            inner = self.expr()
            self.expect("}")
            return inner
        name = self.ident()
        if name == "true":
            return ("lit", True)
        if name == "false":
            return ("lit", False)
        if name == "null":
            return ("lit", None)
        if self.s.startswith("(", self.i):
            self.i += 1
            return self.call(name)
        return ("var", name)

    def call(self, name: str) -> Node:
        args: list[Node] = []
        expand = False
        while not self.accept(")"):
            args.append(self.expr())
            if self.accept("..."):
                expand = True
            if not self.accept(","):
                self.expect(")")
                break
        return ("call", name, tuple(args), expand)

    def tuple_or_for(self) -> Node:
        save = self.i
        if self.keyword("for") and not self.peek("=") and not self.peek(","):
            k, v, coll = self.for_head()
            value = self.expr()
            cond = self.expr() if self.keyword("if") else None
            self.expect("]")
            return ("tfor", k, v, coll, value, cond)
        self.i = save
        items: list[Node] = []
        while not self.accept("]"):
            items.append(self.expr())
            if not self.accept(","):
                self.expect("]")
                break
        return ("tuple", tuple(items))

    def for_head(self) -> tuple[str | None, str, Node]:
        first = self.ident()
        second = self.ident() if self.accept(",") else None
        if not self.keyword("in"):
            raise self.error("expected 'in'")
        coll = self.expr()
        self.expect(":")
        return (first, second, coll) if second is not None else (None, first, coll)

    def object_or_for(self) -> Node:
        save = self.i
        if self.keyword("for") and not self.peek("=") and not self.peek(","):
            k, v, coll = self.for_head()
            key = self.expr()
            self.expect("=>")
            value = self.expr()
            group = self.accept("...")
            cond = self.expr() if self.keyword("if") else None
            self.expect("}")
            return ("ofor", k, v, coll, key, value, group, cond)
        self.i = save
        items: list[tuple[Node, Node]] = []
        while not self.accept("}"):
            key = self.object_key()
            if not (self.accept("=") or self.accept(":")):
                raise self.error("expected '=' or ':' in an object")
            value = self.expr()
            items.append((key, value))
            self.accept(",")
        return ("object", tuple(items))

    def object_key(self) -> Node:
        self.ws()
        m = _IDENT.match(self.s, self.i)
        if m:
            # a bare name followed by "=" or ":" is a literal key, not a variable reference
            after = _WS.match(self.s, m.end())
            rest = self.s[after.end() if after else m.end() :]
            if rest[:1] in ("=", ":") and not rest.startswith("=="):
                self.i = m.end()
                return ("lit", m.group(0))
        return self.expr()

    # -- templates --------------------------------------------------------------------------------
    def template(self, end: str | None, raw: bool = False) -> Node:
        """Parse a template up to ``end`` (``'"'``) or to the end of the text (heredoc bodies)."""
        parts, stop = self.template_parts(end, raw, ())
        if stop is not None:
            raise self.error(f"unexpected %{{{stop}}}")
        return ("tmpl", tuple(parts))

    def template_parts(
        self, end: str | None, raw: bool, stops: tuple[str, ...]
    ) -> tuple[list[Any], str | None]:
        parts: list[Any] = []
        buf: list[str] = []
        s = self.s
        while True:
            if self.i >= self.n:
                if end is not None:
                    raise self.error("unterminated string")
                break
            c = s[self.i]
            if end is not None and c == end:
                self.i += 1
                break
            if self.strip_next:  # a "~}" before: drop the whitespace that follows it
                if c in " \t\r\n":
                    self.i += 1
                    continue
                self.strip_next = False
            if c == "\\" and not raw:
                self.i = self.escape(buf)
                continue
            if s.startswith("$${", self.i) or s.startswith("%%{", self.i):
                buf.append(c + "{")
                self.i += 3
                continue
            if s.startswith("${", self.i):
                self.i += 2
                if s.startswith("~", self.i):  # "${~": drop the whitespace before it
                    self.i += 1
                    buf = _rstrip(parts, buf)
                node = self.expr()
                self.strip_next = self.accept("~")
                self.expect("}")
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(("i", node))
                continue
            if s.startswith("%{", self.i):
                self.i += 2
                if s.startswith("~", self.i):
                    self.i += 1
                    buf = _rstrip(parts, buf)
                word = self.ident()
                if word in stops:
                    self.close_directive()
                    if buf:
                        parts.append("".join(buf))
                    return parts, word
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(self.directive(word, end, raw))
                continue
            buf.append(c)
            self.i += 1
        if buf:
            parts.append("".join(buf))
        return parts, None

    def close_directive(self) -> None:
        strip = self.accept("~")
        self.expect("}")
        self.strip_next = strip

    def directive(self, word: str, end: str | None, raw: bool) -> Any:
        if word == "if":
            cond = self.expr()
            self.close_directive()
            then, stop = self.template_parts(end, raw, ("else", "endif"))
            other: list[Any] = []
            if stop == "else":
                other, stop = self.template_parts(end, raw, ("endif",))
            if stop != "endif":
                raise self.error("missing %{endif}")
            return ("if", cond, tuple(then), tuple(other))
        if word == "for":
            k, v, coll = self.for_head_template()
            body, stop = self.template_parts(end, raw, ("endfor",))
            if stop != "endfor":
                raise self.error("missing %{endfor}")
            return ("for", k, v, coll, tuple(body))
        raise self.error(f"unknown template directive {word!r}")

    def for_head_template(self) -> tuple[str | None, str, Node]:
        first = self.ident()
        second = self.ident() if self.accept(",") else None
        if not self.keyword("in"):
            raise self.error("expected 'in'")
        coll = self.expr()
        self.close_directive()
        return (first, second, coll) if second is not None else (None, first, coll)

    def escape(self, buf: list[str]) -> int:
        s, i = self.s, self.i
        nxt = s[i + 1 : i + 2]
        if nxt in _ESCAPES:
            buf.append(_ESCAPES[nxt])
            return i + 2
        if nxt in ("u", "U"):
            width = 4 if nxt == "u" else 8
            digits = s[i + 2 : i + 2 + width]
            try:
                buf.append(chr(int(digits, 16)))
                return i + 2 + width
            except ValueError:
                pass
        buf.append("\\" + nxt)
        return i + 2

    def quoted_heredoc(self, m: re.Match[str]) -> Node | None:
        trim, marker = m.group(1), m.group(2)
        close = re.compile(r"^[ \t]*" + re.escape(marker) + '"', re.M)
        found = close.search(self.s, m.end())
        if not found:
            return None
        body = self.s[m.end() : found.start()]
        self.i = found.end()
        return _Parser(_dedent(body) if trim else body).template(None, raw=True)

    def heredoc(self, m: re.Match[str]) -> Node:
        trim, marker = m.group(1), m.group(2)
        start = m.end()
        close = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?$", re.M)
        found = close.search(self.s, start)
        if not found:
            raise self.error(f"unterminated heredoc {marker}")
        body = self.s[start : found.start()]
        self.i = found.end()
        if trim:
            body = _dedent(body)
        sub = _Parser(body)
        node = sub.template(None, raw=True)
        return node


def _rstrip(parts: list[Any], buf: list[str]) -> list[str]:
    """Strip trailing whitespace from the literal text before a ``~`` marker."""
    text = "".join(buf).rstrip(" \t\r\n")
    if not text and parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip(" \t\r\n")
    return [text] if text else []


def _dedent(body: str) -> str:
    lines = body.split("\n")
    widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(widths) if widths else 0
    return "\n".join(line[cut:] for line in lines)


_PLAIN_STRING = re.compile(r'"[^"\\$%]*"')
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)\}")


def compile_text(text: str) -> Node:
    """Parse one expression (as python-hcl2 writes it: ``${...}`` wrapped, quoted, or bare)."""
    # most values are plain strings or dotted references: no parser needed for those
    if _PLAIN_STRING.fullmatch(text) and not text.startswith('"<<'):
        return ("lit", text[1:-1])
    m = _REFERENCE.fullmatch(text)
    if m:
        parts = m.group(1).split(".")
        node: Node = ("var", parts[0])
        for name in parts[1:]:
            node = ("attr", node, name)
        return node
    return _compile_text(text)


@functools.lru_cache(maxsize=65536)
def _compile_text(text: str) -> Node:
    if text.startswith('"<<'):
        inner = text[1:-1] if text.endswith('"') else text[1:]
        m = _HEREDOC.match(inner + ("\n" if "\n" not in inner else ""))
        if m:
            parser = _Parser(inner + "\n")
            return parser.heredoc(m)
    if text.startswith("${") and text.endswith("}"):
        parser = _Parser(text)
        parser.i = 2
        node = parser.expr()
        parser.ws()
        if parser.s.startswith("}", parser.i) and parser.i == parser.n - 1:
            return node
        # not a single wrapper (e.g. "${a}-${b}" written bare): fall back to a template
        return _Parser(text).template(None)
    parser = _Parser(text)
    node = parser.expr()
    parser.ws()
    if parser.i != parser.n:
        raise parser.error("unexpected text after the expression")
    return node


@functools.lru_cache(maxsize=1024)
def compile_template(text: str) -> Node:
    """A whole file as a template (``templatefile``): interpolations and directives, no escapes."""
    return _Parser(text).template(None, raw=True)


def compile_value(value: Any) -> Node:
    """Compile a python-hcl2 dict value (scalars, strings to parse, lists, dicts) into one AST."""
    if value is None or isinstance(value, (bool, int, float)):
        return ("lit", value)
    if isinstance(value, str):
        return compile_text(value)
    if isinstance(value, list):
        return ("tuple", tuple(compile_value(v) for v in value))
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if key.startswith("__") and key.endswith("__"):
                continue
            items.append((compile_key(key), compile_value(item)))
        return ("object", tuple(items))
    return ("lit", value)


def compile_key(key: str) -> Node:
    if _IDENT.fullmatch(key):
        return ("lit", key)
    return compile_text(key)
