"""Hiding secrets: the masked form, free-text scrubbing, and the :class:`Masker` that remembers values.

Terraform's sensitivity marks and a variable's name only find *some* copies of a secret; the same value
often reappears elsewhere (a resource's ``output``, a rendered template, a command's stdout). A
:class:`Masker` therefore remembers every secret value it has been shown and scrubs every later copy of
it from any string, list or dict passed through it (dict keys included).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from opslib.secrets._formats import find_known
from opslib.secrets._names import is_secret_name
from opslib.secrets._values import names_a_store, non_secret_shape

__all__ = ["MASK", "Masker", "fingerprint", "is_masked", "is_secret", "mask", "mask_named", "scrub_text"]

#: how a secret whose value is unknown (or a Terraform ``sensitive`` mark) shows; every masked value
#: starts with it
MASK = "****"
_MASKED = re.compile(r"\*{4}(#[0-9a-f]{6})?")

# ``Password: hunter2`` / ``**DB password**: hunter2`` / ``- token: abc`` field lines (Markdown logs)
_FIELD_LINE = re.compile(
    r"(?m)^(?P<lead>[ \t>]*(?:[-*+][ \t]+)?)(?P<b1>\*\*|__)?(?P<key>[A-Za-z][A-Za-z0-9 _.-]{0,48}?)"
    r"(?P<b2>\*\*|__)?(?P<sep>[ \t]*:(?:\*\*|__)?[ \t]*)(?P<value>\S[^\n]*?)[ \t]*$"
)
# ``password=hunter2``, ``"token": "abc"``, ``DB_PASSWORD: x`` anywhere in a line
_ASSIGN = re.compile(
    r"(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)(?P<q1>[\"']?)(?P<sep>[ \t]*[=:][ \t]*)(?P<q2>[\"']?)"
    r"(?P<value>[^\s\"',;&)}\]]+)"
)


def fingerprint(value: Any) -> str:
    """A short stable tag of ``value`` (``#a1b2c3``) so copies of one secret can be matched."""
    digest = hashlib.blake2b(
        str(value).encode("utf-8", "surrogatepass"), digest_size=3, person=b"opslib-mask"
    )
    return "#" + digest.hexdigest()


def mask(value: Any) -> str:
    """The masked form of ``value``: ``****`` and its fingerprint, none of its characters."""
    if value is None:
        return MASK
    return MASK + fingerprint(value)


def is_masked(text: Any) -> bool:
    """True for a masked value (``****`` or ``****#a1b2c3``)."""
    return isinstance(text, str) and _MASKED.fullmatch(text) is not None


def _judged_secret(value: str) -> bool:
    return not _MASKED.fullmatch(value.strip()) and non_secret_shape(value) is None


def is_secret(name: Any, value: Any) -> bool:
    """True when ``value`` held under ``name`` is a secret: a secret-like name and a value whose shape
    may be a secret, or a secret of a known format under any name."""
    if isinstance(value, str) and any(True for _ in find_known(value)):
        return True
    if name is None or not is_secret_name(str(name)):
        return False
    if isinstance(value, str):
        return _judged_secret(value)
    return False


def _replace_spans(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last:  # overlaps a span already masked (the longer one came first)
            continue
        out.append(text[last:start])
        out.append(mask(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def _field_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in (_FIELD_LINE, _ASSIGN):
        for match in pattern.finditer(text):
            if match.group("value").startswith(MASK):
                continue  # masked already
            value = match.group("value").strip("*_ ")
            if not value or not is_secret_name(match.group("key").strip()) or not _judged_secret(value):
                continue
            start = match.start("value") + match.group("value").index(value)
            spans.append((start, start + len(value)))
    return spans


def scrub_text(text: str, *, fields: bool = True) -> str:
    """``text`` with secrets of known formats masked, and (``fields``) the values of secret-named fields
    and assignments (``Password: x``, ``token=x``)."""
    if not text or not isinstance(text, str):
        return text
    spans = [(start, end) for start, end, _ in find_known(text)]
    if fields and (":" in text or "=" in text):
        spans.extend(_field_spans(text))
    # longest first at one position, so a secret holding another is masked whole
    spans.sort(key=lambda span: (span[0], -span[1]))
    return _replace_spans(text, spans)


def _mask_under_secret(value: Any, masker: Masker) -> Any:
    """Everything held under a secret-like name: each leaf masked unless its shape says it is no secret."""
    if isinstance(value, dict):
        return {key: _mask_under_secret(item, masker) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        if non_secret_shape(value):  # a list of plain words (permissions, role names)
            return value
        items = [_mask_under_secret(item, masker) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, str) and _judged_secret(value):
        masker.add(value)
        return mask(value)
    return value


def mask_named(values: Any, masker: Masker) -> Any:
    """``values`` with every value held under a secret-like key masked (at any depth, lists and objects
    included), each masked value remembered by ``masker``."""
    if isinstance(values, dict):
        store = names_a_store(values)  # maps beside a key_vault_id hold secret names, not secrets
        out: dict[Any, Any] = {}
        for key, value in values.items():
            if store and isinstance(value, dict):
                out[key] = value
                continue
            out[key] = (
                _mask_under_secret(value, masker) if is_secret_name(str(key)) else mask_named(value, masker)
            )
        return out
    if isinstance(values, list):
        return [mask_named(item, masker) for item in values]
    if isinstance(values, tuple):
        return tuple(mask_named(item, masker) for item in values)
    if isinstance(values, str) and any(True for _ in find_known(values)):
        return scrub_text(values, fields=False)
    return values


def _bounded(value: str) -> str:
    """``value`` as a pattern that matches whole copies only: ``password`` is no secret inside the name
    ``db_password``; a value starting or ending with punctuation needs no boundary there."""
    pattern = re.escape(value)
    if value[:1].isalnum() or value[:1] == "_":
        pattern = r"(?<![A-Za-z0-9_])" + pattern
    if value[-1:].isalnum() or value[-1:] == "_":
        pattern += r"(?![A-Za-z0-9_])"
    return pattern


class Masker:
    """Remembers secret values and replaces every copy of them.

    >>> m = Masker(["hunter2!"])
    >>> m.scrub({"out": "password is hunter2!"})
    {'out': 'password is ****#32b810'}
    """

    #: values shorter than this are not scrubbed from free text (masking "1" everywhere helps no one)
    MIN_LENGTH = 4

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for value in values:
            self.add(value)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, value: object) -> bool:
        return str(value) in self._values

    @property
    def values(self) -> frozenset[str]:
        """The remembered secrets (to hand to another masker; never print them)."""
        return frozenset(self._values)

    def add(self, value: Any) -> None:
        """Remember a secret; containers add every leaf they hold."""
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, dict):
            for item in value.values():
                self.add(item)
            return
        if isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                self.add(item)
            return
        text = str(value)
        if len(text) >= self.MIN_LENGTH and not _MASKED.fullmatch(text) and text not in self._values:
            self._values.add(text)
            self._pattern = None

    def update(self, other: Masker) -> None:
        for value in other._values:
            self.add(value)

    def _regex(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._values:
            # longest first so a secret that contains another is masked whole
            alternatives = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(_bounded(v) for v in alternatives))
        return self._pattern

    def scrub_str(self, text: str, keep: Iterable[str] = ()) -> str:
        """``text`` with every remembered secret and every secret of a known format masked.

        ``keep``: substrings left alone (the path and unit a message names: a path is never masked).
        """
        if not text:
            return text
        kept = sorted({k for k in keep if k and k in text}, key=len, reverse=True)
        if kept:
            pieces = re.split("(" + "|".join(re.escape(k) for k in kept) + ")", text)
            return "".join(piece if i % 2 else self.scrub_str(piece) for i, piece in enumerate(pieces))
        regex = self._regex()
        if regex is not None:
            text = regex.sub(lambda match: mask(match.group(0)), text)
        return scrub_text(text, fields=False)

    def scrub(self, value: Any) -> Any:
        """A copy of ``value`` with every remembered secret masked, at any depth (dict keys too)."""
        if isinstance(value, str):
            return self.scrub_str(value)
        if isinstance(value, dict):
            return {self.scrub(k) if isinstance(k, str) else k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.scrub(v) for v in value)
        if value is not None and not isinstance(value, bool) and str(value) in self._values:
            return mask(value)
        return value
