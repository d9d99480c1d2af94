"""Who a post mentions: ``@username`` (any case), or ``@`` followed by a person's display name as sicrm shows it
(张伟, Alice Smith). A display name counts only when it is unambiguous: if two people who can see the thread carry
the name found there, neither is taken (write their user names). Only people who can see the thread are ever
returned, never the author; the caller notifies them. Reads only."""

from __future__ import annotations

import re

from django.db.models import Q

from backend.accounts.models import User, person_name
from backend.core.permissions import can

# an @ that does not stand inside a word or an e-mail address, and what follows it
_AT = re.compile(r"(?<![A-Za-z0-9_.+-])@(?=\S)")
_USERNAME = re.compile(r"[\w.@+-]+")
_TRAILING = ".-+@"
TAIL = 60  # characters after an @ looked at for a display name


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def mentioned_users(text: str, *, thread: object, author: User) -> list[User]:
    """The users ``text`` mentions who may see ``thread``, the author left out, each once, by id."""
    tails = [text[m.end() : m.end() + TAIL] for m in _AT.finditer(text or "")]
    if not tails:
        return []
    usernames: list[str] = []
    for tail in tails:
        token = _USERNAME.match(tail)
        if token:
            name = token.group(0)
            usernames.append(name)
            usernames.append(name.rstrip(_TRAILING))
    first_words = {tail.split()[0] for tail in tails if tail.split()}
    family = {tail[:n] for tail in tails for n in (1, 2)}
    wanted = Q(first_name__in=first_words) | Q(last_name__in=family | first_words)
    for name in {n for n in usernames if n}:
        wanted |= Q(username__iexact=name)
    candidates = list(User.objects.filter(is_active=True).filter(wanted)[:200])
    audience: dict[int, bool] = {}

    def sees(user: User) -> bool:
        if user.pk not in audience:
            audience[user.pk] = can(user, "view", thread)  # type: ignore[arg-type]
        return audience[user.pk]

    by_username = {u.username.lower(): u for u in candidates}
    found: dict[int, User] = {}
    for tail in tails:
        token = _USERNAME.match(tail)
        user = None
        if token:
            name = token.group(0)
            user = by_username.get(name.lower()) or by_username.get(name.rstrip(_TRAILING).lower())
        if user is None:
            user = _by_display_name(tail, candidates, sees)
        if user is not None and user.pk != author.pk and sees(user):
            found[user.pk] = user
    return [found[pk] for pk in sorted(found)]


def _by_display_name(tail: str, candidates: list[User], sees) -> User | None:
    """The one person who can see the thread whose display name starts ``tail`` (the longest name found wins);
    None when none does or when two do."""
    best: list[User] = []
    best_length = 0
    for user in candidates:
        shown = person_name(user.first_name, user.last_name)
        if not shown or not tail.startswith(shown):
            continue
        after = tail[len(shown) : len(shown) + 1]
        if after and not _cjk(shown) and after.isascii() and _is_word_char(after):
            continue  # "@Al" is not "Alice" (but "@Alice Smith请看" is Alice Smith)
        if not sees(user):
            continue
        if len(shown) > best_length:
            best, best_length = [user], len(shown)
        elif len(shown) == best_length:
            best.append(user)
    return best[0] if len(best) == 1 else None
