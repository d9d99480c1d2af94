"""What documents contribute to the project's transitions (registered in ``DocsTemplatesConfig.ready()``): a
transition that opens a review gate needs the documents that gate requires, approved."""

from __future__ import annotations

from django.utils.translation import gettext as _

from backend.docs_templates.services import documents_missing
from backend.projects import transitions
from backend.projects.services import OPENS_GATE, refusal
from backend.projects.transitions import TransitionCall
from workflows.services import gate_for


def required_documents_approved(call: TransitionCall) -> None:
    project = call.project
    gate = gate_for(template=project.process_template, kind=OPENS_GATE[call.name])
    missing_docs = documents_missing(project=project, doc_types=list(gate.required_documents))
    if missing_docs:
        raise refusal(
            project,
            _("%(gate)s needs these documents approved first: %(docs)s.")
            % {"gate": gate.name, "docs": ", ".join(missing_docs)},
            missing=missing_docs,
        )


def register() -> None:
    transitions.precondition(*OPENS_GATE, order=40)(required_documents_approved)
