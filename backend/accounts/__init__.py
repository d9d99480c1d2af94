"""Accounts: users, the department tree with its heads, the manager chain used for escalation, and the
role groups of DESIGN.md §1. It answers "who is this user and where do they sit"; it decides nothing
about projects or customers."""
