"""Property tests: the expression parser and the evaluator never crash, whatever the text."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from opslib.terragrunt.evaluate import Evaluator
from opslib.terragrunt.expr import ExprSyntaxError, compile_text

_TOKENS = [
    "local.a",
    "local",
    ".",
    "x",
    "1",
    "2.5",
    '"s"',
    '"${',
    "}",
    "${",
    "%{",
    "if",
    "for",
    "in",
    "endif",
    "endfor",
    "else",
    ":",
    "=>",
    "?",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    "=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    ">",
    "&&",
    "||",
    "!",
    "...",
    "[*]",
    ".*",
    "upper(",
    "merge(",
    "try(",
    "run_cmd(",
    "get_env(",
    "file(",
    "lookup(",
    "true",
    "null",
    " ",
    "\n",
    "~",
    "<<EOF\n",
    "\nEOF\n",
    '\\"',
    "-",
]

expressions = st.lists(st.sampled_from(_TOKENS), max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(expressions | st.text(max_size=40))
def test_parser_raises_only_syntax_errors(text: str) -> None:
    with contextlib.suppress(ExprSyntaxError):
        compile_text(text)


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_evaluator_never_raises(text: str) -> None:
    root = (Path(__file__).parent / "fixtures" / "tree" / "constructs").resolve()
    doc = {
        "locals": [
            {
                "a": 1,
                "x": text,
                "__is_block__": True,
                "__lines__": {"a": [2, 2], "x": [3, 3]},
                "__start_line__": 1,
                "__end_line__": 4,
            }
        ],
        "__lines__": {},
    }
    ev = Evaluator(root, {"unit/terragrunt.hcl": doc}, lambda path: None)
    config = ev.unit(root / "unit" / "terragrunt.hcl")
    config.local("x")  # a value, an Unknown, or an error row: never an exception
