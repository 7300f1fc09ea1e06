"""The presentation layer of the reports: column kinds, value formatting, tables, charts and badges.

Notebooks never format by hand: ``opslib.notebook.table()`` and ``opslib.notebook.chart()`` show a
frame by the kinds of its columns (:mod:`opslib.present.kinds`).
"""

from __future__ import annotations

from opslib.present.format import MISSING, format_duration, format_value
from opslib.present.kinds import KINDS, Kind, kind_of, label_of

__all__ = ["KINDS", "MISSING", "Kind", "format_duration", "format_value", "kind_of", "label_of"]
