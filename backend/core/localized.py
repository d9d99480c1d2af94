"""Text that comes with the product (process templates, checklist actions, milestone and payment term names,
reason lists) is kept in both languages: the column itself holds the Chinese, the first language, and a
companion column ``<name>_en`` the English. Reading the attribute gives the reader's language (the active one),
so pages, the API, notifications and documents show it without knowing; the database, forms and history keep
the Chinese. Text a user types is one language: writing a new value forgets the translation, because it
no longer translates what is there.

    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from django.db.models import signals
from django.db.models.query_utils import DeferredAttribute
from django.utils import translation

# "立项评审 Initiation review" → ("立项评审", "Initiation review"): the English begins with a Latin letter after
# the last Chinese (or full-width) character.
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_PAIR = re.compile(rf"^(?P<zh>.*[{_CJK}])\s*(?P<en>[A-Za-z][^{_CJK}]*)$", re.S)


def reads_english() -> bool:
    language = translation.get_language()
    return bool(language) and not language.lower().startswith("zh")


def split_pair(text: str) -> tuple[str, str]:
    """One string holding both languages, Chinese first, as the product's data once was → (Chinese, English)."""
    match = _PAIR.match(text or "")
    if not match:
        return text, ""
    return match["zh"].strip(), match["en"].strip()


class _LocalizedAttribute(DeferredAttribute):
    field: Any

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if reads_english() and not instance.__dict__.get(_RAW_SAVE):
            english = instance.__dict__.get(self.field.translation_attname)
            if english:
                return english
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        data = instance.__dict__
        attname, companion = self.field.attname, self.field.translation_attname
        if attname in data and value != data[attname] and companion in data:
            if value == data[companion]:
                return  # the English reader's own text handed back unchanged
            data[companion] = ""
        data[attname] = value


_RAW_SAVE = "_localized_raw_save"


def _raw_save_begins(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    # A raw save (loaddata, a restore) writes what ``getattr`` reads: the columns as stored, in any language.
    if raw:
        instance.__dict__[_RAW_SAVE] = True


def _raw_save_ends(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance.__dict__.pop(_RAW_SAVE, None)


class _Localized:
    """Shared by the char and text variants."""

    descriptor_class = _LocalizedAttribute
    attname: str

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)  # type: ignore[misc]
        if not cls._meta.abstract:
            signals.pre_save.connect(_raw_save_begins, sender=cls, weak=False, dispatch_uid=f"localized-raw:{cls}")
            signals.post_save.connect(_raw_save_ends, sender=cls, weak=False, dispatch_uid=f"localized-raw-end:{cls}")

    @property
    def translation_attname(self) -> str:
        return f"{self.attname}_en"

    def raw(self, instance: Any) -> Any:
        if self.attname not in instance.__dict__:
            instance.refresh_from_db(fields=[self.attname])
        return instance.__dict__[self.attname]

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        return self.raw(model_instance)

    def value_from_object(self, obj: Any) -> Any:
        return self.raw(obj)


class LocalizedCharField(_Localized, models.CharField):  # type: ignore[misc]
    pass


class LocalizedTextField(_Localized, models.TextField):  # type: ignore[misc]
    pass


def is_localized(field: Any) -> bool:
    return isinstance(field, _Localized)


def both(obj: Any, field: str, *, to: str | None = None) -> dict[str, str]:
    """The two languages of ``obj.field`` as keyword arguments for a copy: ``Milestone(**both(spec, "name"))``."""
    target = to or field
    descriptor = obj._meta.get_field(field)
    return {target: descriptor.raw(obj), f"{target}_en": getattr(obj, f"{field}_en", "") or ""}


def companions(instance: Any, fields: list[str]) -> list[str]:
    """``update_fields`` plus the English companion of each localized field among them."""
    extra = []
    for name in fields:
        field = instance._meta.get_field(name)
        if is_localized(field) and field.translation_attname not in fields:
            extra.append(field.translation_attname)
    return [*fields, *extra]


def text_pair(value: Any) -> tuple[str, str]:
    """A template file's text: ``{zh: 立项评审, en: Initiation review}``, or one string (Chinese, or both as once)."""
    if isinstance(value, dict):
        return str(value.get("zh") or value.get("en") or ""), str(value.get("en") or "")
    return split_pair(str(value or ""))


def render_both(build: Any) -> dict[str, str]:
    """Call ``build()`` once in Chinese and once in English (for names made from translated words)."""
    with translation.override("zh-hans"):
        zh = str(build())
    with translation.override("en"):
        en = str(build())
    return {"zh": zh, "en": en}


def pick(chinese: str | None, english: str | None) -> str:
    """Of a pair read with ``values()``, the reader's: the English when they read English and there is one."""
    if reads_english() and english:
        return english
    return chinese or ""


def payment_term_names(name: str) -> tuple[str, str]:
    """A payment term named from a two-language milestone name, in either language's pattern:
    "Payment on 到货签收 Delivery signed" or "到货签收 Delivery signed 付款"
    → ("到货签收 付款", "Payment on Delivery signed")."""
    for pattern in (r"^Payment on (?P<m>.+)$", r"^(?P<m>.+?) ?付款$"):
        match = re.match(pattern, name or "", re.S)
        if match:
            zh, en = split_pair(match["m"])
            if en:
                return f"{zh} 付款", f"Payment on {en}"
    return split_pair(name or "")


def split_stored_pairs(model: Any, *fields: str) -> None:
    """For a data migration: rows that hold both languages in one string ("立项评审 Initiation review") get
    the English moved to the companion column. Rows typed in one language are left as they are."""
    for row in model.objects.all().iterator():
        changed = []
        for field in fields:
            zh, en = split_pair(row.__dict__[field])
            if en and not row.__dict__[f"{field}_en"]:
                setattr(row, f"{field}_en", en)
                row.__dict__[field] = zh
                changed += [field, f"{field}_en"]
        if changed:
            row.save(update_fields=changed)
