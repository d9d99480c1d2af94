"""The cache of one machine: Django's file cache (shared by the web workers and the worker process), which
counts its files only on one write in a hundred. Django's lists the whole folder on every write to decide
whether to cull, and ``backend.core.counts`` writes on every INSERT, UPDATE and DELETE."""

from __future__ import annotations

import random

from django.core.cache.backends.filebased import FileBasedCache

CHECK_EVERY = 100


class FileCache(FileBasedCache):
    def _cull(self) -> None:
        if random.random() * CHECK_EVERY < 1:  # noqa: S311  a sample, not a secret
            super()._cull()  # type: ignore[misc]  # (not in the stubs)
