"""Secrets recognisable by their form, under any name and in free text.

Each pattern's ``secret`` group is the part to hide: for a password in a URL or a connection string only
the password goes, the host and the user stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["AWS_KEY_PATTERN", "KNOWN_FORMATS", "find_known", "known_format"]

AWS_KEY_PATTERN = re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b")

#: (kind, pattern with a ``secret`` group)
KNOWN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private key",
        re.compile(
            r"(?P<secret>-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:(?!-----END).)*(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)?)",
            re.DOTALL,
        ),
    ),
    ("AWS access key id", re.compile(r"(?P<secret>" + AWS_KEY_PATTERN.pattern + ")")),
    # 40 characters of base64 with both cases and a digit: hex digests (git SHAs) have one case only
    (
        "AWS secret access key",
        re.compile(
            r"(?<![A-Za-z0-9/+=])(?P<secret>(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])"
            r"(?=[A-Za-z0-9/+]*[0-9])[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
    ),
    (
        "GitHub token",
        re.compile(r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})"),
    ),
    ("GitLab token", re.compile(r"\b(?P<secret>gl(?:pat|dt|rt|cbt|ptt|oas|soat)-[A-Za-z0-9_-]{20,})")),
    ("Slack token", re.compile(r"\b(?P<secret>xox[abposr]-[A-Za-z0-9-]{10,})")),
    (
        "Slack webhook",
        re.compile(r"hooks\.slack\.com/services/(?P<secret>T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+)"),
    ),
    ("Stripe key", re.compile(r"\b(?P<secret>[sr]k_live_[A-Za-z0-9]{16,})")),
    ("Google API key", re.compile(r"\b(?P<secret>AIza[0-9A-Za-z_-]{35})")),
    ("npm token", re.compile(r"\b(?P<secret>npm_[A-Za-z0-9]{36})\b")),
    (
        "JWT",
        re.compile(r"\b(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"),
    ),
    # scheme://user:password@host -- the user may be empty (https://:token@host)
    (
        "password in URL",
        re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@'\"]*:(?!\$\{)(?P<secret>[^\s/@'\"]+)@[A-Za-z0-9\[]"),
    ),
    # Password=...; in ADO.NET / JDBC / Azure connection strings
    (
        "password in connection string",
        re.compile(
            r"(?i)(?:^|[;'\"])[ \t]*(?:password|pwd|accountkey|sharedaccesskey|sharedaccesssignature|"
            r"client_secret|clientsecret)=(?!\$\{)(?P<secret>[^;\s'\"]+)"
        ),
    ),
)


# every format but the bare AWS secret key holds one of these (in lower case): most strings hold none, so
# one scan of the lowered text spares the dozen patterns above
_CANDIDATE = re.compile(
    r"akia|asia|agpa|aida|aroa|anpa|anva|aipa|gh[pousr]_|github_pat|gl(?:pat|dt|rt|cbt|ptt|oas|soat)-|xox|"
    r"hooks\.slack|_live_|aiza|npm_|eyj|private key|://|pass|pwd|accountkey|sharedaccess|secret"
)
_AWS_SECRET_KIND = "AWS secret access key"


def find_known(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, kind)`` of every secret of a known format in ``text``."""
    if not text:
        return
    candidate = _CANDIDATE.search(text.lower()) is not None
    if not candidate and len(text) < 40:
        return
    for kind, pattern in KNOWN_FORMATS:
        if not candidate and kind != _AWS_SECRET_KIND:
            continue
        for match in pattern.finditer(text):
            start, end = match.span("secret")
            if end > start and not text.startswith("****", start):
                yield start, end, kind


def known_format(text: str) -> str | None:
    """The kind of the first known-format secret in ``text``, or None."""
    for _, _, kind in find_known(text):
        return kind
    return None
