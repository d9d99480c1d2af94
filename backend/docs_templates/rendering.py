"""Safe rendering of .docx templates.

Three layers keep a template inside the context it is given:
1. Upload checks: a real .docx (zip with the Word parts), no zip bomb, size limit.
2. A static check of the Jinja syntax tree: every placeholder must be in the document type's variable
   catalogue; no attribute starting with ``_``, no function or method calls, no include/import/extends/
   macro — anything else is refused with the placeholder named.
3. Rendering in Jinja's ``SandboxedEnvironment`` with a context of plain dicts, lists, strings and
   numbers (no model objects), and only sicrm's own filters.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from backend.core.errors import ValidationFailed
from backend.docs_templates.numerals import capital_filter, cn_date, money

REQUIRED_PARTS = ("[Content_Types].xml", "word/document.xml")
ALLOWED_FILTERS = {
    "money",
    "capital",
    "cn_date",
    "default",
    "d",
    "length",
    "join",
    "round",
    "upper",
    "lower",
    "e",
    "escape",
    "string",
    "int",
    "float",
    "first",
    "last",
    "trim",
    "replace",
    "truncate",
    "title",
    "capitalize",
    "sum",
    "format",
}
FORBIDDEN_NODES = (
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
    nodes.Extends,
    nodes.Macro,
    nodes.CallBlock,
    nodes.Call,
)


def jinja_env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False)
    env.filters.update({"money": money, "capital": capital_filter, "cn_date": cn_date})
    env.globals.clear()
    return env


def check_docx(*, name: str, data: bytes) -> None:
    """A real Word document within limits, else a 400 naming the problem."""
    limit = settings.UPLOAD_MAX_BYTES
    if not data:
        raise ValidationFailed(_("%(name)s is empty.") % {"name": name}, fields={"file": [_("empty")]})
    if len(data) > limit:
        raise ValidationFailed(
            _("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": limit // 2**20},
            fields={"file": [_("too large")]},
            code="file_too_large",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValidationFailed(
            _("%(name)s is not a .docx file (it is not a zip package).") % {"name": name},
            fields={"file": [_("not a .docx")]},
            code="not_docx",
        ) from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        missing = [part for part in REQUIRED_PARTS if part not in names]
        if missing:
            raise ValidationFailed(
                _("%(name)s is not a Word document: %(parts)s missing.") % {"name": name, "parts": ", ".join(missing)},
                fields={"file": [_("not a .docx")]},
                code="not_docx",
            )
        unpacked = sum(info.file_size for info in infos)
        if unpacked > settings.DOCX_MAX_UNPACKED_BYTES or len(infos) > 2000:
            raise ValidationFailed(
                _("%(name)s would unpack to %(size)d MB in %(count)d files; the limit is %(limit)d MB.")
                % {
                    "name": name,
                    "size": unpacked // 2**20,
                    "count": len(infos),
                    "limit": settings.DOCX_MAX_UNPACKED_BYTES // 2**20,
                },
                fields={"file": [_("zip bomb")]},
                code="zip_bomb",
            )


def template_source(data: bytes) -> str:
    """The Jinja source docxtpl will render: body, headers and footers, after docxtpl's own patching."""
    tpl = DocxTemplate(io.BytesIO(data))
    return "".join(_sources(tpl))


def _sources(tpl: DocxTemplate) -> list[str]:
    from docx import Document
    from docx.oxml import parse_xml

    document = Document(tpl.template_file)
    sources = [tpl.patch_xml(tpl.xml_to_string(document._element.body))]
    for rel in document.part.rels.values():
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI) and rel.target_part.blob:
            sources.append(tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob))))
    return sources


@dataclass
class Analysis:
    used: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def analyse(source: str, schema: dict[str, Any]) -> Analysis:
    """Every placeholder path used, and every problem (unknown placeholder, unsafe construct)."""
    result = Analysis()
    try:
        tree = jinja_env().parse(source)
    except TemplateError as exc:
        result.problems.append(_("template syntax error: %(error)s") % {"error": exc})
        return result
    for forbidden in tree.find_all(FORBIDDEN_NODES):
        result.problems.append(
            _("'%(construct)s' is not allowed in templates") % {"construct": type(forbidden).__name__.lower()}
        )
    for filter_node in tree.find_all(nodes.Filter):
        if filter_node.name not in ALLOWED_FILTERS:
            result.problems.append(_("unknown filter '%(name)s'") % {"name": filter_node.name})
    _walk(tree, schema, {}, result)
    return result


LOOP_SCHEMA = {"index": None, "index0": None, "first": None, "last": None, "length": None, "revindex": None}


def _resolve(node: nodes.Node, schema: dict[str, Any], scope: dict[str, Any], result: Analysis) -> Any:
    """The schema under an expression (None for a leaf), recording the path; ``False`` when unknown."""
    if isinstance(node, nodes.Name):
        if node.name in scope:
            return scope[node.name]
        if node.name in schema:
            result.used.add(node.name)
            return schema[node.name]
        result.problems.append(_("unknown placeholder '%(name)s'") % {"name": node.name})
        return False
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if not isinstance(attr, str):
            base = _resolve(node.node, schema, scope, result)
            return base[0] if isinstance(base, list) and base else None
        base = _resolve(node.node, schema, scope, result)
        if attr.startswith("_"):
            result.problems.append(
                _("'%(attr)s' is not allowed: templates cannot reach private attributes") % {"attr": attr}
            )
            return False
        if base is False:
            return False
        if isinstance(base, dict) and attr in base:
            path = _path(node)
            if path:
                result.used.add(path)
            return base[attr]
        result.problems.append(_("unknown placeholder '%(path)s'") % {"path": _path(node) or attr})
        return False
    if isinstance(node, nodes.Filter):
        if node.node is not None:
            _resolve(node.node, schema, scope, result)
        for arg in node.args:
            _walk(arg, schema, scope, result)
        return None
    _walk(node, schema, scope, result)
    return None


def _path(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _walk(node: nodes.Node, schema: dict[str, Any], scope: dict[str, Any], result: Analysis) -> None:
    if isinstance(node, nodes.For):
        items = _resolve(node.iter, schema, scope, result)
        item_schema = items[0] if isinstance(items, list) and items else None
        inner = dict(scope)
        inner["loop"] = LOOP_SCHEMA
        for target in [node.target] if isinstance(node.target, nodes.Name) else list(node.target.find_all(nodes.Name)):
            inner[target.name] = item_schema if item_schema is not None else {}
        for child in [*node.body, *node.else_]:
            _walk(child, schema, inner, result)
        if node.test is not None:
            _walk(node.test, schema, inner, result)
        return
    if isinstance(node, nodes.Assign | nodes.AssignBlock):
        result.problems.append(_("'set' is not allowed in templates"))
        return
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem | nodes.Filter):
        _resolve(node, schema, scope, result)
        return
    for child in node.iter_child_nodes():
        _walk(child, schema, scope, result)


def render_docx(*, data: bytes, context: dict[str, Any]) -> bytes:
    """Render template bytes with ``context`` in the sandbox; a template that tries to escape it fails
    with a clear error instead of rendering."""
    tpl = DocxTemplate(io.BytesIO(data))
    try:
        tpl.render(context, jinja_env=jinja_env())
    except SecurityError as exc:
        raise ValidationFailed(
            _("The template tried something unsafe and was stopped: %(error)s") % {"error": exc}, code="template_unsafe"
        ) from exc
    except (
        TemplateError,
        PackageNotFoundError,
        LookupError,
        TypeError,
        ValueError,
        AttributeError,
        ArithmeticError,
    ) as exc:
        raise ValidationFailed(
            _("The template could not be rendered: %(error)s") % {"error": exc}, code="template_render_failed"
        ) from exc
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
