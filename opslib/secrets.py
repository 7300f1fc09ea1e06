"""Masking secrets: one place that decides what is secret and how it is hidden.

Terraform's sensitivity marks and a variable's name only find *some* copies of a secret; the same value
often reappears elsewhere (a resource's ``output``, a rendered template, a command's stdout). A
:class:`Masker` therefore remembers every secret value it has been shown and scrubs every later copy of
it from any string, list or dict passed through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "AWS_KEY_PATTERN",
    "MASK",
    "Masker",
    "is_secret_name",
    "mask_value",
    "scrub_text",
]

MASK = "****"

# Names that hold secrets. Matched against snake/kebab/camel-case parts of an input or local name.
_SECRET_NAME = re.compile(
    r"(pass(word|wd|phrase)?|secret|token|private[_-]?key|access[_-]?key|api[_-]?key|credential|"
    r"auth[_-]?key|client[_-]?secret|signing[_-]?key|encryption[_-]?key|master[_-]?key|"
    r"connection[_-]?string|dsn|pwd)",
    re.IGNORECASE,
)
# Names that contain a secret word but hold no secret: identifiers and lengths, not the value.
_NOT_SECRET_NAME = re.compile(
    r"(_arn|_id|_ids|_name|_names|_length|_len|_path|_version|_enabled|_rotation|_policy|_ttl|"
    r"_count|_type|kms_key|_expiry|_expiration|_min|_max|_secret_id)$",
    re.IGNORECASE,
)
AWS_KEY_PATTERN = re.compile(r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b")
_AWS_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def is_secret_name(name: str) -> bool:
    """True when a variable, input or attribute name says it holds a secret."""
    snake = _camel_to_snake(str(name))
    if _NOT_SECRET_NAME.search(snake):
        return False
    return bool(_SECRET_NAME.search(snake))


def mask_value(value: Any, keep: int = 0) -> str:
    """Hide ``value``; ``keep`` leading characters may stay to help a reader tell secrets apart."""
    text = "" if value is None else str(value)
    if keep and len(text) > keep * 4:
        return text[:keep] + MASK
    return MASK


def scrub_text(text: str) -> str:
    """Mask AWS access key ids anywhere in free text."""
    return AWS_KEY_PATTERN.sub(lambda m: m.group(0)[:4] + MASK, text)


class Masker:
    """Remembers secret values and replaces every copy of them.

    >>> m = Masker(["hunter2!"])
    >>> m.scrub({"out": "password is hunter2!"})
    {'out': 'password is ****'}
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

    def add(self, value: Any) -> None:
        """Remember a secret; containers add every leaf they hold."""
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, dict):
            for item in value.values():
                self.add(item)
            return
        if isinstance(value, (list, tuple, set)):
            for item in value:
                self.add(item)
            return
        text = str(value)
        if len(text) >= self.MIN_LENGTH and text != MASK and text not in self._values:
            self._values.add(text)
            self._pattern = None

    def update(self, other: Masker) -> None:
        for value in other._values:
            self.add(value)

    def _regex(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._values:
            # longest first so a secret that contains another is masked whole
            alternatives = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in alternatives))
        return self._pattern

    def scrub_str(self, text: str) -> str:
        regex = self._regex()
        if regex is not None:
            text = regex.sub(MASK, text)
        return scrub_text(text)

    def scrub(self, value: Any) -> Any:
        """A copy of ``value`` with every remembered secret masked, at any depth."""
        if isinstance(value, str):
            return self.scrub_str(value)
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.scrub(v) for v in value)
        if value is not None and not isinstance(value, bool) and str(value) in self._values:
            return MASK
        return value
