"""Secrets: one judgement of what is secret, one masked form, one masking pass.

- :func:`is_secret_name` -- does a name hold a secret? Judged by its head noun: ``db_password`` and
  ``api_key`` do; ``secret_name``, ``token_duration_in_seconds`` and ``key_vault_id`` do not.
- :func:`non_secret_shape` -- does a value's shape say it is no secret (a secret-store reference, an
  identifier made of words, a number, duration, boolean, version, URL without credentials, path,
  command)? ``changeme`` and ``Sup3rS3cret!`` have no such shape.
- :func:`is_secret` -- both together, plus secrets of known formats (AWS keys, GitHub/GitLab/Slack
  tokens, private keys, JWTs, passwords in URLs and connection strings) under any name.
- :func:`mask` -- ``****#a1b2c3``: none of the value's characters, a stable fingerprint so copies match.
- :func:`scrub_text`, :class:`Masker`, :func:`mask_named` -- the masking pass every exit goes through.

The fingerprint is a 24-bit keyed-less hash: it tells copies apart, it is not meant to resist a guess
of a weak password (which the lint rule reports anyway).
"""

from __future__ import annotations

from typing import Any

from opslib.secrets._formats import AWS_KEY_PATTERN, KNOWN_FORMATS, find_known, known_format
from opslib.secrets._masker import (
    MASK,
    Masker,
    fingerprint,
    is_masked,
    is_secret,
    mask,
    mask_named,
    scrub_text,
)
from opslib.secrets._names import is_secret_name, name_words
from opslib.secrets._values import names_a_store, non_secret_shape

__all__ = [
    "AWS_KEY_PATTERN",
    "KNOWN_FORMATS",
    "MASK",
    "Masker",
    "find_known",
    "fingerprint",
    "is_masked",
    "is_secret",
    "is_secret_name",
    "known_format",
    "mask",
    "mask_named",
    "mask_value",
    "name_words",
    "names_a_store",
    "non_secret_shape",
    "scrub_text",
]


def mask_value(value: Any, keep: int = 0) -> str:
    """The masked form of ``value`` (``keep`` is ignored: a masked value shows none of its characters)."""
    del keep
    return mask(value)
