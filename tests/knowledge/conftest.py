"""Fixtures of the knowledge and search tests: a fresh embedded index per test (under the test var dir),
a small organisation, categories, and helpers to publish articles and index them after commit."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from backend.search.base import reset_backend
from backend.search.embedded import EmbeddedBackend


def pytest_configure(config):
    config.addinivalue_line("markers", "elasticsearch: runs against a live Elasticsearch (needs ELASTICSEARCH_URL)")


@pytest.fixture
def index_dir() -> Iterator[Path]:
    path = Path(settings.VAR_DIR) / "search-tests" / uuid.uuid4().hex[:12]
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def search_backend(index_dir: Path) -> Iterator[EmbeddedBackend]:
    """The process-wide backend, replaced by an empty embedded index for this test."""
    backend = EmbeddedBackend(index_dir)
    backend.ensure()
    reset_backend(backend)
    yield backend
    reset_backend(None)


@pytest.fixture
def kb(db, make_user, search_backend):
    """Departments (Delivery > Implementation, Sales), users by role, two categories."""
    from backend.knowledge.models import Category
    from tests.factories import DepartmentFactory

    delivery = DepartmentFactory(name="Delivery")
    implementation = DepartmentFactory(name="Implementation", parent=delivery)
    sales = DepartmentFactory(name="Sales")
    people = {
        "kbadmin": make_user("kbadmin", "kbadmin"),
        "author": make_user("author", "presales", department=sales),
        "presales": make_user("presales2", "presales", department=sales),
        "engineer": make_user("engineer", "engineer", department=implementation),
        "pm": make_user("pm", "pm", department=delivery),
        "finance": make_user("finance", "finance"),
        "director": make_user("director", "director"),
    }
    solutions = Category.objects.create(name="技术方案 Solutions")
    people.update(
        delivery=delivery,
        implementation=implementation,
        sales=sales,
        solutions=solutions,
        datacentre=Category.objects.create(name="数据中心 Data centre", parent=solutions),
        lessons=Category.objects.create(name="经验教训 Lessons"),
    )
    return people


@pytest.fixture
def publish(kb, django_capture_on_commit_callbacks):
    """Create a published article and index it as the committed transaction would."""
    from backend.knowledge import services

    def make(title: str, body: str = "", *, author=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.article_create(
                author=author or kb["author"], title=title, body=body, status="published", **kwargs
            )

    return make


def titles(page) -> list[str]:
    return [hit.title for hit in page.result.hits]
