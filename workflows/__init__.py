"""Workflows: the review-gate engine, process templates, routing and alarm rules (arrives with the presales lifecycle)."""
