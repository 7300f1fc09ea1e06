"""Is a name one that holds a secret? Judged by the name's head noun.

``db_password`` and ``api_key`` name a secret; ``secret_name``, ``token_duration_in_seconds`` and
``key_vault_id`` name something *about* a secret (its name, a duration, an id). In English compounds the
last noun is the head and the words before it only qualify it, so the name is split into words and its
head is judged: prepositional tails (``_in_seconds``) are dropped, and words that only say how a value is
held (``_value``, ``_b64``, ``_1``, ``_prod``) are looked through.
"""

from __future__ import annotations

import functools
import re

__all__ = ["is_secret_name", "name_words"]

# head nouns that are secrets on their own (singular; a trailing "s" is dropped before lookup)
_SECRET_HEADS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "passphrase",
        "passcode",
        "secret",
        "token",
        "credential",
        "cred",
        "creds",
        "apikey",
        "dsn",
        "psk",
        "privatekey",
        "secretkey",
        "accesskey",
    }
)
# ``<word>_key`` is a secret for these qualifiers (``api_key``, ``aws_secret_access_key``); a bare ``key``
# (remote_state's key is a state path), ``kms_key`` or ``public_key`` is not
_SECRET_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "private",
        "secret",
        "access",
        "auth",
        "signing",
        "encryption",
        "master",
        "account",
        "storage",
        "shared",
        "sas",
        "client",
        "hmac",
        "webhook",
        "deploy",
        "license",
        "subscription",
        "primary",
        "secondary",
        "app",
        "service",
        "sendgrid",
        "stripe",
    }
)
# two-word heads that hold credentials
_SECRET_PAIRS = frozenset(
    {("connection", "string"), ("conn", "string"), ("conn", "str"), ("database", "url")}
)
_PAIR_WORDS = frozenset("".join(pair) for pair in _SECRET_PAIRS)
# words that say how a value is held, not what it is: looked through to the word before
_TRANSPARENT = frozenset(
    {
        "value",
        "string",
        "str",
        "data",
        "text",
        "plaintext",
        "plain",
        "raw",
        "b64",
        "base64",
        "encoded",
        "wo",
        "override",
        "new",
        "old",
        "current",
        "previous",
        "prev",
        "default",
        "dev",
        "test",
        "qa",
        "uat",
        "stage",
        "staging",
        "prod",
        "production",
    }
)
# a prepositional tail qualifies the head before it: ``token_duration_in_seconds`` is a duration
_PREPOSITIONS = frozenset({"in", "for", "of", "to", "from", "by", "per", "at", "on", "with", "as"})
# glued lower-case names (``dbpassword``, ``humiosecretprefix``) are judged by how they end
_GLUED_ENDINGS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "secretkey",
    "accesskey",
    "connectionstring",
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def name_words(name: str) -> list[str]:
    """``"dbMasterPassword_2"`` -> ``["db", "master", "password", "2"]`` (lower case)."""
    return [word.lower() for word in _WORD.findall(str(name))]


def _head(words: list[str]) -> tuple[str, str]:
    """(head, the word before it) after dropping prepositional tails and transparent words."""
    for index, word in enumerate(words):
        if index and word in _PREPOSITIONS:
            words = words[:index]
            break
    while len(words) > 1 and (words[-1] in _TRANSPARENT or words[-1].isdigit()):
        if tuple(words[-2:]) in _SECRET_PAIRS:
            return "".join(words[-2:]), ""
        words = words[:-1]
    head = words[-1] if words else ""
    before = words[-2] if len(words) > 1 else ""
    return head, before


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@functools.lru_cache(maxsize=16384)
def is_secret_name(name: str) -> bool:
    """True when a variable, input, attribute or field name says it holds a secret.

    >>> [is_secret_name(n) for n in ("db_password", "secret_name", "token_duration_in_seconds")]
    [True, False, False]
    """
    words = name_words(str(name).rsplit(".", 1)[-1])
    if not words:
        return False
    head, before = _head(words)
    single = _singular(head)
    if len(words) == 1 and single not in _SECRET_HEADS:
        return single.endswith(_GLUED_ENDINGS)
    if single in _SECRET_HEADS or head in _SECRET_HEADS:
        return True
    if (before, head) in _SECRET_PAIRS or head in _PAIR_WORDS:
        return True
    return single == "key" and before in _SECRET_KEY_QUALIFIERS
