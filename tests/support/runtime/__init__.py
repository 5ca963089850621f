"""Helpers for the runtime integration tests (the sample service)."""
