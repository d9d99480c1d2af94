"""What makes two customers the same: the normalized name and the unified social credit code
(统一社会信用代码, GB 32100-2015, with its check character)."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)

# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31, check = 31 - (sum mod 31).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
CREDIT_CODE_RE = re.compile(rf"^[{CREDIT_CODE_CHARS}]{{18}}$")


def normalize_name(name: str) -> str:
    """Full-width to half-width, case-folded, without spaces or punctuation:
    ``"（北京）华信 科技有限公司"`` and ``"(北京)华信科技有限公司"`` are the same customer."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return _PUNCT_OR_SPACE.sub("", text)


def normalize_credit_code(code: str | None) -> str | None:
    if not code:
        return None
    return unicodedata.normalize("NFKC", code).strip().upper().replace(" ", "") or None


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or None when it is."""
    if len(code) != 18:
        return _("must be 18 characters, got %(n)d") % {"n": len(code)}
    if not CREDIT_CODE_RE.match(code):
        bad = sorted({ch for ch in code if ch not in CREDIT_CODE_CHARS})
        return _("contains characters not allowed in a credit code: %(chars)s") % {"chars": " ".join(bad)}
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return _("check character should be %(expected)s, not %(got)s") % {"expected": expected, "got": code[17]}
    return None
