"""The :class:`TerragruntTree` facade and :func:`load_tree`."""

from __future__ import annotations

__all__ = ["TerragruntTree", "load_tree"]


class TerragruntTree:
    """A loaded Terragrunt tree: frames, parsed documents, the dependency graph.

    Built by :func:`load_tree`. Unit ids are posix paths relative to ``root`` (``"prod/us-east-1/vpc"``);
    file keys are posix paths relative to ``root`` (``"prod/us-east-1/vpc/terragrunt.hcl"``).

    Attributes
    ----------
    root : Path
        The resolved tree root.
    units : DataFrame
        One row per unit. ``unit`` (id), ``path`` (relative path of its config file), ``kind``
        (``unit`` | ``stack-unit``), ``account``, ``region``, ``environment`` (from the locals of
        account.hcl / region.hcl / env.hcl in the unit's include chain, else from the path; ``None`` when
        neither tells), ``source`` (evaluated ``terraform.source``; the text as written when it cannot be
        evaluated; ``None`` when absent), ``source_kind`` (``git`` | ``tfr`` | ``local`` | ``http`` |
        ``s3`` | ``expression`` | ``none``), ``module_ref`` (``?ref=`` / ``?version=`` value or None),
        ``pinned`` (bool: a remote source pinned to a tag/sha/version, not a branch; local sources count as
        pinned; ``none``/``expression`` are not), ``includes`` (list of dicts: ``label`` (None for a bare
        ``include {}``), ``path`` (relative path of the included file, or the raw/unknown path when it
        cannot be resolved inside the root), ``expose`` (bool), ``line``), ``locals`` and ``inputs``
        (dicts, secrets masked; values that cannot be known are :class:`Unknown`), ``lockfile`` (bool:
        ``.terraform.lock.hcl`` present in the unit folder), ``errors`` (count of error rows about the
        unit's own file or the files it includes/reads), ``line`` (1, the unit file's first line).
    dependencies : DataFrame
        One row per ``dependency`` block and per ``dependencies.paths`` entry (own or included).
        ``unit``, ``target`` (unit id, or the raw path when outside the tree / unknown), ``name`` (block
        label; ``""`` for ``dependencies``), ``kind`` (``dependency`` | ``dependencies``), ``config_path``
        (as written, source text), ``resolved`` (absolute posix path, or None when it cannot be evaluated),
        ``exists`` (bool: the target is a unit of this tree), ``external`` (bool: resolved outside the
        root), ``has_mock_outputs`` (bool), ``path`` (file holding the block), ``line``.
    files : DataFrame
        Every config file read: ``path``, ``role`` (``root`` | ``account`` | ``region`` | ``env`` |
        ``unit`` | ``stack`` | ``common`` | ``tags``), ``status`` (``ok`` | ``error``), ``size``,
        ``cached`` (bool: came from the disk cache).
    errors : DataFrame
        ``path``, ``line``, ``column``, ``message``, ``kind`` (``parse`` | ``eval`` | ``discover``).
    graph : networkx.DiGraph
        Nodes are unit ids (node attrs: the unit row's account/region/environment/kind); an edge
        ``unit -> dependency`` per resolved dependency inside the tree (edge attrs ``name``, ``kind``).
    documents : dict[str, dict]
        Relative path of every parsed HCL file -> the python-hcl2 dict (``hcl2.loads`` shape: string
        literals keep their quotes, expressions are ``"${...}"``, blocks are lists with
        ``__is_block__``). Every block dict also carries ``__start_line__`` / ``__end_line__``, and every
        body (the document itself, each block) carries ``__lines__``: attribute name -> [start, end].
        Skip keys starting with ``__`` when iterating attributes.
    masker : opslib.secrets.Masker
        Remembers every masked secret value of the tree (secret-named locals/inputs, secret get_env
        values) so other modules can scrub copies of them: ``tree.masker.scrub(obj)``.
    stats : dict
        ``parsed`` (files parsed this load), ``cached`` (files read from the cache), ``seconds``.

    Methods
    -------
    source_text(relpath) -> str
        The text of a file of the tree.
    unit_config(unit) -> dict
        The unit's evaluated, merged configuration (own file + includes), secrets masked:
        ``{"locals", "inputs", "terraform", "remote_state", "dependency": {name: {...}},
        "dependencies", "generate": {name: {...}}, "include": {label: {...}}, ...}``.
    run_order(destroy=False) -> list[list[str]]
        Waves as ``terragrunt run --all`` runs them (dependencies first); reversed for destroy.
        Members of a cycle share one wave (see ``cycles()``).
    dependents(unit, transitive=True) -> list[str]
        Units that depend on ``unit``.
    blast_radius(changed) -> DataFrame[unit, distance, reason]
        ``changed``: unit ids and/or changed file paths (relative to the root, or absolute).
    cycles() -> list[list[str]]
        Dependency cycles (each a list of unit ids); never fatal.
    to_dot() -> str, to_mermaid() -> str
        The graph as ``terragrunt dag graph`` prints it, and as a Mermaid flowchart.
    """
