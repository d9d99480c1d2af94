"""With the real worker running, a committed change becomes searchable on the embedded backend, and a change
that removes it from view leaves the results. (How fast is a speed target, for a benchmark; a timed assertion
here failed on a busy CI machine without anything being wrong.)"""

from __future__ import annotations

import pytest

from backend.knowledge import services
from backend.search.base import reset_backend
from backend.search.embedded import EmbeddedBackend
from backend.search.selectors import search_for_user
from tests.conftest import wait_until

pytestmark = pytest.mark.worker


def test_a_committed_change_becomes_searchable_through_the_worker(real_worker, make_user):
    backend = EmbeddedBackend()  # the index the worker process writes (SEARCH_INDEX_DIR of the test settings)
    backend.clear()
    reset_backend(backend)
    try:
        author = make_user("author", "presales")
        reader = make_user("reader", "engineer")
        services.article_create(author=author, title="同城双活验收要点", body="两地三中心", status="published")
        wait_until(
            lambda: search_for_user(user=reader, text="验收").result.total == 1,
            timeout=30,
            message="the worker never indexed the committed article",
        )
        article = services.article_create(author=author, title="未提交", status="published")  # committed too
        services.article_transition(article_id=article.pk, actor=make_user("kb", "kbadmin"), name="archive")
        wait_until(lambda: search_for_user(user=reader, text="未提交").result.total == 0, timeout=30)
    finally:
        reset_backend(None)
