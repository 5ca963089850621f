"""Helpers for the console's (services/web) tests."""
