"""Warranty entry points: RPC routes, translation at the edge, background workers."""
