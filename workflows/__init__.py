"""Workflows: the review-gate engine, process templates, routing and alarm rules.

(Arrives with the presales lifecycle.)"""
