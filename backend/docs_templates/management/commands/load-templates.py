"""``sicrm load-templates``: load the process templates (workflows/templates/*.yaml, or the files given) and
the default document templates."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.core.errors import ApplicationError
from workflows.loader import template_load, templates_load_all


class Command(BaseCommand):
    help = "Load process templates (stages, actions, gates, milestones) and the default document templates."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, files: list[Path], **opts: Any) -> None:
        try:
            templates = [template_load(path=f) for f in files] if files else templates_load_all()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for template in templates:
            self.stdout.write(
                f"{template.code}: {template.name} ({template.stages.count()} stages, {template.gates.count()} gates)"
            )
        if not files:
            from backend.docs_templates.services import defaults_load

            try:
                documents = defaults_load()
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"document templates: {len(documents)} new or changed default versions loaded")
