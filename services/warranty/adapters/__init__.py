"""Warranty adapters: the SQL repositories and unit of work, the wire mapping, providers."""
