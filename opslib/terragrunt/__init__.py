"""Terragrunt trees: discover, parse, evaluate safely, and build units, dependencies and the graph.

``load_tree(root)`` returns a :class:`TerragruntTree`; see its docstring for every attribute.
"""

from __future__ import annotations

from opslib.terragrunt.tree import TerragruntTree, load_tree
from opslib.terragrunt.values import UNKNOWN, Unknown, is_unknown

__all__ = ["UNKNOWN", "TerragruntTree", "Unknown", "is_unknown", "load_tree"]
