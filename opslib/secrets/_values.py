"""Could this value be a secret? Judged by its shape.

Under a secret-like name most literal strings are secrets, but many are not: the *name* of a Key Vault
secret (``funcapp-KEY-APPBACKEND``), an ARN, an SSM path, a duration, a version, a URL without
credentials, a command that fetches the secret. Passwords people really write (``changeme``,
``admin123``, ``Sup3rS3cret!``) have none of those shapes, so they stay secret -- an entropy threshold
alone would let them through.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["names_a_store", "non_secret_shape"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DURATION = re.compile(
    r"^(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w|y|sec|secs|seconds?|mins?|minutes?|hrs?|hours?|days?|weeks?"
    r"|months?|years?))+$|^P(\d+[YMWD])*(T(\d+[HMS])+)?$",
    re.IGNORECASE,
)
_BOOLEAN = re.compile(r"^(true|false|yes|no|on|off|enabled?|disabled?|none|null|nil|n/?a|tbd|todo)$", re.I)
_VERSION = re.compile(r"^[vV]?\d+(\.\d+)+([-+][0-9A-Za-z.-]+)?$|^[vV]\d+$")
_REFERENCE = re.compile(
    r"^(arn:|\{\{resolve:|projects/[^/]+/secrets/|/aws/|ssm:|secretsmanager:|vault:|ref\+|sops:|awskms:|"
    r"gcpkms:|azurekeyvault:|alias/|@Microsoft\.KeyVault\(|kv/|secret/)",
    re.IGNORECASE,
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s@]+$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_HOSTNAME = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d+)?$")
_PATH = re.compile(r"^(~|\.{1,2})?/[^\s]*$|^\.{1,2}/")
# a word (letters only: ``hunter2`` is not one), an upper-case word with a number (``MAILUP2``), a version
# tag (``v2``) or a short number
_WORD = re.compile(r"^([A-Za-z]{2,}|[A-Z]{2,}\d{1,3}|[vV]\d{1,3}|\d{1,4})$")
# a key that says its mapping's values name entries of a secret store (Azure app settings read from Key
# Vault: ``{ key_vault_id = ..., map = { API_KEY = "funcapp-KEY-APPBACKEND" } }``)
_STORE_KEY = re.compile(
    r"^(key_?vault|secret_?store|vault)_(id|name|uri|url|arn|path|mount)$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[-_./:]+")
_PUBLIC_KEY = re.compile(
    r"^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-\S+|sk-\S+@openssh\.com) |^-----BEGIN (PUBLIC KEY|CERTIFICATE)"
)
# a command (``vault``, ``aws``, ``op``) or the first word of a sentence; ``Sup3r S3cret`` is neither
_FIRST_WORD = re.compile(r"^([a-z][a-z0-9_.-]*|[A-Z]?[a-z]+)$")
_PLAIN_WORD = re.compile(r"^[A-Za-z]+$")
# passwords people really write: never "plain words", even in a list
_WEAK = frozenset(
    [
        "password",
        "passw0rd",
        "changeme",
        "changeit",
        "secret",
        "letmein",
        "welcome",
        "admin",
        "administrator",
        "root",
        "qwerty",
        "default",
        "pass",
        "test",
        "guest",
        "master",
    ]
)
_COMMAND_TOKEN = re.compile(r"^(-{1,2}[\w-]+(=\S*)?|[\w.:/@${}()|<>'\"=,-]+)$")


def _identifier(text: str) -> bool:
    """Words joined by ``-``, ``_``, ``.``, ``/`` or ``:`` (``funcapp-KEY-APPBACKEND``, ``prod/db/app``)."""
    parts = [part for part in _SEPARATORS.split(text) if part]
    if len(parts) < 2 or _SEPARATORS.sub("", text) != "".join(parts):
        return False
    if not all(_WORD.match(part) for part in parts):
        return False
    return sum(1 for part in parts if part[0].isalpha()) >= 2


def _command_or_prose(text: str) -> bool:
    """Several words separated by spaces: a command (``vault kv get -field=pw secret/db``) or a sentence."""
    tokens = text.split()
    if len(tokens) < 2 or not _FIRST_WORD.match(tokens[0]):
        return False
    return all(_COMMAND_TOKEN.match(token) for token in tokens) or "$(" in text or "|" in text


def _repeated(text: str) -> bool:
    """A placeholder of one repeated character (``********``, ``xxxxxxxx``)."""
    return len(set(text)) == 1


_CHECKS: tuple[tuple[str, Any], ...] = (
    ("number", _NUMBER.match),
    ("duration", _DURATION.match),
    ("boolean or placeholder", _BOOLEAN.match),
    ("version", _VERSION.match),
    ("secret-store reference", _REFERENCE.match),
    ("public key", _PUBLIC_KEY.match),
    ("URL without credentials", _URL.match),
    ("email address", _EMAIL.match),
    ("hostname", _HOSTNAME.match),
    ("path", _PATH.match),
    ("identifier made of words", _identifier),
    ("command or text", _command_or_prose),
    ("placeholder", _repeated),
)


def non_secret_shape(value: Any) -> str | None:
    """The shape that says ``value`` is no secret (``"duration"``, ``"path"``...), or None when it may be.

    Numbers and booleans are never secrets; lists are no secret when every item is not.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else "boolean"
    if isinstance(value, (list, tuple)):
        plain = all(
            non_secret_shape(item)
            or (isinstance(item, str) and _PLAIN_WORD.match(item) and item.lower() not in _WEAK)
            for item in value
        )
        return "list of plain values" if plain else None
    if isinstance(value, dict):
        return None
    text = str(value).strip()
    if not text:
        return "empty"
    if text.lower() in _WEAK:
        return None
    for shape, check in _CHECKS:
        if check(text):
            return shape
    return None


def names_a_store(mapping: Any) -> bool:
    """True when ``mapping`` has a key naming a secret store (``key_vault_id``): the maps beside it hold
    the names of secrets in that store, not secrets."""
    return isinstance(mapping, dict) and any(_STORE_KEY.match(str(key).strip('"')) for key in mapping)
