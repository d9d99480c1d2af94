"""`sicrm bench` works end to end on the test database: a tiny generated batch, then one second of
concurrent transitions. No timing is asserted; the figures are only printed."""

import io

import pytest
from django.core.management import call_command

from backend.projects.models import Project, ProjectEvent


@pytest.mark.django_db(transaction=True)
def test_generate_then_transitions():
    # given a tiny generated batch
    out = io.StringIO()
    call_command("bench", "generate", "--projects", "40", stdout=out)
    assert "projects" in out.getvalue()
    assert Project.objects.filter(code__startswith="BN").count() == 40
    assert ProjectEvent.objects.filter(project__code__startswith="BN").count() >= 40
    events_before = ProjectEvent.objects.count()

    # when two clients drive transitions for a second
    out = io.StringIO()
    call_command("bench", "transitions", "--clients", "2", "--seconds", "1", stdout=out)

    # then the table is printed and the transitions really happened through the service
    report = out.getvalue()
    assert "transitions/s" in report and "p95 latency ms" in report
    done = int(next(line.split()[-1] for line in report.splitlines() if line.startswith("transitions ")))
    assert done > 0
    assert ProjectEvent.objects.count() >= events_before + done
