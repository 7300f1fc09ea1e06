"""Deterministic generators for opslib's sample data (run through ``data/sample/generate.py``)."""
