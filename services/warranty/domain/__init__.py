"""Warranty domain: plain Python rules (labels, policy, claims, RMA, SLA, resolution, abuse)."""
