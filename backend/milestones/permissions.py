"""Who may act on delivery (the permission layer's rules for this app; seeing is ``visibility.py``).

- a milestone's ``work`` (start, submit, deliverables and their versions): its owner, whoever may change
  the project, and the project's engineers;
- a milestone's ``judge`` (accept, return, re-plan, approve deliverables): the project's owner and PM,
  sales directors and administrators;
- a task's ``change``: its assignee and whoever may change the project;
- a project's ``record_acceptance``: whoever may change the project;
- an alarm's ``acknowledge``: whoever it was sent to, and the heads of their departments (or of the
  project's department) — the people the escalation would reach next.

Who records money is ``backend.payments.permissions``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.core.permissions import action_rule, can
from backend.milestones.models import Alarm, Milestone, Task
from backend.projects.choices import MemberRole
from backend.projects.models import Project, ProjectMember
from backend.projects.permissions import MANAGING_ROLES, edit_q, may_edit


def _member_of(user: User, role: str) -> Any:
    return ProjectMember.objects.filter(user=user, role=role).values("project_id")


def work_q(user: User) -> Q | None:
    editing = edit_q(user, "project__")
    if editing is None:
        return None
    return Q(owner=user) | editing | Q(project__in=_member_of(user, MemberRole.ENGINEER))


@action_rule(Milestone, "work", rows=work_q)
def may_work(user: User, milestone: Milestone) -> bool:
    if milestone.owner_id == user.pk or can(user, "change", milestone.project):
        return True
    return milestone.project.members.filter(user=user, role=MemberRole.ENGINEER).exists()


def judge_projects_q(user: User, prefix: str = "") -> Q | None:
    if user.is_superuser or user.has_role(*MANAGING_ROLES):
        return None
    return Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}pk__in": _member_of(user, MemberRole.PM)})


@action_rule(Project, "judge_milestones", rows=judge_projects_q)
def may_judge_project(user: User, project: Project) -> bool:
    if user.is_superuser or user.has_role(*MANAGING_ROLES):
        return True
    return project.owner_id == user.pk or project.members.filter(user=user, role=MemberRole.PM).exists()


@action_rule(Milestone, "judge", rows=lambda user: judge_projects_q(user, "project__"))
def may_judge(user: User, milestone: Milestone) -> bool:
    return can(user, "judge_milestones", milestone.project)


def _task_q(user: User) -> Q | None:
    editing = edit_q(user, "project__")
    return None if editing is None else Q(assignee=user) | editing


@action_rule(Task, "change", rows=_task_q)
def may_change_task(user: User, task: Task) -> bool:
    return task.assignee_id == user.pk or can(user, "change", task.project)


action_rule(Project, "record_acceptance", rows=edit_q)(may_edit)


def alarm_team_q(user: User) -> Q:
    """Alarms sent to ``user``, and, for a department head, the alarms sent to their department's people or
    raised on their department's projects (subqueries: no join repeats a row)."""
    sent = Alarm.recipients.through.objects
    q = Q(pk__in=sent.filter(user=user).values("alarm_id"))
    heads_of = headed_department_ids(user)
    if heads_of:
        q |= Q(pk__in=sent.filter(user__department__in=heads_of).values("alarm_id"))
        q |= Q(project__department__in=heads_of)
    return q


@action_rule(Alarm, "acknowledge", rows=alarm_team_q)
def may_acknowledge(user: User, alarm: Alarm) -> bool:
    return Alarm.objects.filter(alarm_team_q(user), pk=alarm.pk).exists()
