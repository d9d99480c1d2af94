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

import functools
import io
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import Environment, Template, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from backend.core.errors import ValidationFailed
from backend.core.uploads import check_upload
from backend.docs_templates.docx_format import Properties, set_properties
from backend.docs_templates.numerals import capital_filter, cn_date, money

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


class RenderLimitExceeded(SecurityError):
    """A render that ran out of time or would write too much (``code`` says which)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _over_budget(code: str) -> RenderLimitExceeded:
    if code == "template_too_slow":
        message = _("The template took longer than %(seconds)s seconds to render and was stopped.") % {
            "seconds": settings.DOCUMENT_RENDER_SECONDS
        }
    else:
        message = _(
            "The template would build more than %(size).1f MB of text, or a number too large to write, and was stopped."
        ) % {"size": settings.DOCUMENT_MAX_OUTPUT_CHARS / 1e6}
    return RenderLimitExceeded(message, code)


_PRINTF_WIDTH = re.compile(r"%[-#0 +]*(\d+)?(?:\.(\d+))?")


class BoundedTemplate(Template):
    """Renders chunk by chunk, charging each chunk to the environment's output and time budget."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        env: BoundedSandbox = self.environment  # type: ignore[assignment]
        context = self.new_context(dict(*args, **kwargs))
        parts: list[str] = []
        try:
            for chunk in self.root_render_func(context):
                env.charge(len(chunk))
                parts.append(chunk)
        except Exception:
            self.environment.handle_exception()
        return "".join(parts)


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with a budget: a deadline (``DOCUMENT_RENDER_SECONDS``) and a cap on the text written
    (``DOCUMENT_MAX_OUTPUT_CHARS``), checked on every output chunk, attribute lookup, operator and filter.
    ``**``, ``*`` and ``%`` are intercepted (which also stops Jinja folding them at compile time), so a single
    operation cannot build a huge number or string before the budget is looked at."""

    template_class = BoundedTemplate
    intercepted_binops = frozenset({"**", "*", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = time.monotonic() + settings.DOCUMENT_RENDER_SECONDS
        self.chars_left = settings.DOCUMENT_MAX_OUTPUT_CHARS

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _over_budget("template_too_slow")

    def charge(self, chars: int) -> None:
        self.chars_left -= chars
        if self.chars_left < 0:
            raise _over_budget("template_too_large")
        self.check_time()

    def _check_size(self, chars: int) -> None:
        if chars > self.chars_left:
            raise _over_budget("template_too_large")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and right * max(abs(left).bit_length(), 1) > MAX_INT_BITS:
                raise _over_budget("template_too_large")
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int):
                    self._check_size(len(seq) * max(times, 0))
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and left.bit_length() + right.bit_length() > MAX_INT_BITS
            ):
                raise _over_budget("template_too_large")
        elif operator == "%" and isinstance(left, str):
            self._check_printf(left)
        return super().call_binop(context, operator, left, right)

    def _check_printf(self, template: str) -> None:
        for width, precision in _PRINTF_WIDTH.findall(template):
            if int(width or 0) > MAX_FIELD_WIDTH or int(precision or 0) > MAX_FIELD_WIDTH:
                raise _over_budget("template_too_large")

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_time()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.check_time()
        return super().getitem(obj, argument)


MAX_INT_BITS = 4096  # about 1,200 digits: more than any amount, less than a second of arithmetic
MAX_FIELD_WIDTH = 1000


def _bounded_filter(env: BoundedSandbox, name: str, function: Any) -> Any:
    """``function`` (a filter) refusing arguments that would build too much, and charging its result."""

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        env.check_time()
        values = [a for a in args if not isinstance(a, Environment | EvalContext | Context)]
        if name == "replace" and len(values) >= 3 and all(isinstance(v, str) for v in values[:3]):
            text, old, new = (str(v) for v in values[:3])
            grows = max(len(new) - len(old), 0) * (text.count(old) if old else len(text) + 1)
            env._check_size(len(text) + grows)
        if name == "format" and values and isinstance(values[0], str):
            env._check_printf(values[0])
        result = function(*args, **kwargs)
        if isinstance(result, str | list | tuple):
            env._check_size(len(result))
        return result

    return bounded


def jinja_env() -> BoundedSandbox:
    """A fresh environment per render: its budget starts now."""
    env = BoundedSandbox(autoescape=False)
    env.filters.update({"money": money, "capital": capital_filter, "cn_date": cn_date})
    env.filters = {name: _bounded_filter(env, name, function) for name, function in env.filters.items()}
    env.globals.clear()
    return env


def check_docx(*, name: str, data: bytes) -> None:
    """A real Word document within limits (the upload check of every file field), else a 400 naming the
    problem."""
    check_upload(name=name, data=data, allowed=("docx",))


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
    if _loop_depth(tree) > MAX_LOOP_DEPTH:
        result.problems.append(
            _("loops may be nested at most %(max)d deep (each loop runs once per item of a list)")
            % {"max": MAX_LOOP_DEPTH}
        )
    _walk(tree, schema, {}, result)
    return result


MAX_LOOP_DEPTH = 3


def _loop_depth(node: nodes.Node) -> int:
    inner = max((_loop_depth(child) for child in node.iter_child_nodes()), default=0)
    return inner + 1 if isinstance(node, nodes.For) else inner


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


def render_docx(*, data: bytes, context: dict[str, Any], properties: Properties | None = None) -> bytes:
    """Render template bytes with ``context`` in the sandbox; a template that tries to escape it fails
    with a clear error instead of rendering. ``properties``: what the result says about itself (its author,
    company and title) instead of what the template said."""
    tpl = DocxTemplate(io.BytesIO(data))
    try:
        tpl.render(context, jinja_env=jinja_env())
    except RenderLimitExceeded as exc:
        raise ValidationFailed(exc.message or "", code=exc.code) from exc
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
    if properties is not None:
        from django.utils import timezone

        set_properties(tpl.docx, properties, now=timezone.now())  # type: ignore[arg-type]
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
