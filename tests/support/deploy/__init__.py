"""Helpers for the deployment tests."""
