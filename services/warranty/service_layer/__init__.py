"""Use cases of the warranty service added after handlers.py/queries.py (one module per group)."""
