"""Sections other apps add to the tender page (e.g. its discussion threads). ``tenders`` imports none of them:
an app above registers ``tender_section(name, "<module.function>", "<template>")`` in its ``AppConfig.ready()``,
and the page imports the context function by its dotted path when it is drawn."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

# name → (context function "module.function", fragment template), in registration order
TENDER_SECTIONS: dict[str, tuple[str, str]] = {}


def tender_section(name: str, context_function: str, template: str) -> None:
    """Add section ``name`` to the tender page: ``context_function(request, tender)`` returns what ``template``
    needs."""
    TENDER_SECTIONS[name] = (context_function, template)


def tender_sections(request: Any, tender: Any) -> list[dict[str, Any]]:
    """The registered sections drawn for ``tender``: each its name and its HTML (a section whose code or
    template is missing is left out)."""
    drawn = []
    for name, (function_path, template) in TENDER_SECTIONS.items():
        module_name, function_name = function_path.rsplit(".", 1)
        try:
            function = getattr(import_module(module_name), function_name)
            get_template(template)
        except (ImportError, AttributeError, TemplateDoesNotExist):
            continue
        context = {"tender": tender, **dict(function(request, tender) or {})}
        drawn.append({"name": name, "html": render_to_string(template, context, request=request)})
    return drawn
