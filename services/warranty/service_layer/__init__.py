"""Warranty use cases, one module per group, composed in app.py (no SQL here: see unit_of_work.py)."""
