"""Change review: one verdict for one change, as a reviewer of a pull request needs it.

``opslib.review.review(root, base=...)`` reads the files changed since ``base``, finds the units they
touch and their dependents, lints both sides to list the findings the change introduces (and those from
other scanners' SARIF files), joins the plan risk and the cost change of the affected units, checks
production refs, and decides ``approval-required`` or ``ok``. ``to_markdown`` / ``to_json`` /
``to_sarif`` render it.
"""

from __future__ import annotations

from opslib.review.core import Review, log_review, review
from opslib.review.render import COMMENT_LIMIT, to_json, to_markdown, to_sarif

__all__ = ["COMMENT_LIMIT", "Review", "log_review", "review", "to_json", "to_markdown", "to_sarif"]
