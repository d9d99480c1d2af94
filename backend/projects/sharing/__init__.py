"""Sharing rules (DESIGN.md §6): an administrator widens READ access to a set of projects (department, industry,
region, customer, customer tier — all given criteria must hold) for a department's members, a role or one user.
``matching`` turns rules into filters; the permission layer (``projects.visibility``) and the search document
apply them. Nothing here grants any action beyond viewing."""
