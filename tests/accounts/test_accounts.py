"""Departments, heads and the manager chain."""

import pytest
from django.core.exceptions import ValidationError

from backend.accounts.selectors import department_heads_up, headed_department_ids, manager_chain
from backend.accounts.services import department_set_parent, roles_ensure
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_role_groups_exist():
    names = {g.name for g in roles_ensure()}
    assert {
        "bid_manager",
        "presales",
        "director",
        "legal",
        "finance",
        "pm",
        "engineer",
        "quality",
        "service",
        "exec",
        "kbadmin",
        "admin",
    } == names


def test_department_tree_heads_and_subtree(make_user):
    top_head = make_user("top", "exec")
    mid_head = make_user("mid", "director")
    top = DepartmentFactory(head=top_head)
    mid = DepartmentFactory(parent=top, head=mid_head)
    leaf = DepartmentFactory(parent=mid)
    other = DepartmentFactory()
    assert department_heads_up(department=leaf) == [mid_head, top_head]
    assert headed_department_ids(top_head) == {top.pk, mid.pk, leaf.pk}
    assert other.pk not in headed_department_ids(top_head)
    assert headed_department_ids(mid_head) == {mid.pk, leaf.pk}


def test_a_department_cannot_sit_under_its_own_child():
    top = DepartmentFactory()
    child = DepartmentFactory(parent=top)
    with pytest.raises(ValidationError):
        department_set_parent(department=top, parent=child)
    top.refresh_from_db()
    assert top.parent is None


def test_manager_chain(make_user):
    boss = make_user("boss")
    middle = make_user("middle", manager=boss)
    worker = make_user("worker", manager=middle)
    assert manager_chain(user=worker) == [middle, boss]
