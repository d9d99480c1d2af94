"""Shared base for every app: the error family, base models, the visibility registry, the API base
classes, the page layout and the ``serve``/``demo`` commands. It owns no business rules of its own."""
