"""Preconditions and effects of project transitions, contributed by the apps that own the data.

``projects`` moves a project from state to state (``services.project_transition`` for the user's transitions,
the gate outcome handler for the gated ones) and knows nothing of bids, delivery, payments or documents. The
apps that do register, in their ``AppConfig.ready()``, what a transition needs and what it causes::

    transitions.precondition("request_acceptance", order=10)(milestones_all_closed)
    transitions.effect("kickoff", order=10)(milestones_from_template)

A hook takes one argument, the ``TransitionCall``: the project (locked), the transition's name, the actor, the
comment, ``data`` (the caller's extra input: ``win_loss``, ``kickoff_date``, the deciding ``review``) and
``context``, a dictionary the hooks of one call share (a precondition may leave a value for an effect or for
``projects``: ``review_amount``). Everything runs in the transition's transaction:

- a **precondition** runs before the state changes and refuses by raising a domain error (a precondition may
  also record what the transition needs, like the win/loss record sent with it);
- a **before-save effect** runs after the state changed, before the project is saved (it may set fields);
- an **effect** runs after the project was saved and the event written.

Hooks of one kind run by ``order``, then in registration order. The orders of today, so that refusals keep
coming in the same order (the first one wins) and a new hook can find its place: preconditions — 10 delivery
(milestones, payments), 20 the project's own input (a comment required), 30 the win/loss record (bids),
40 required documents (docs_templates), 50 contract terms (bids); effects — 10 milestones from the template,
20 the payment terms that point at them (payments). Adding a precondition means touching one app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TransitionCall:
    project: Any
    name: str
    actor: Any
    comment: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


Hook = Callable[[TransitionCall], None]


@dataclass(frozen=True)
class _Registered:
    order: int
    sequence: int
    hook: Hook
    names: frozenset[str]


_hooks: dict[str, list[_Registered]] = {"precondition": [], "before_save": [], "effect": []}


def _register(kind: str, names: tuple[str, ...], order: int) -> Callable[[Hook], Hook]:
    if not names:
        raise ValueError("name the transitions the hook applies to")

    def add(hook: Hook) -> Hook:
        entries = _hooks[kind]
        if not any(e.hook is hook and e.names == frozenset(names) for e in entries):
            entries.append(_Registered(order=order, sequence=len(entries), hook=hook, names=frozenset(names)))
            entries.sort(key=lambda e: (e.order, e.sequence))
        return hook

    return add


def precondition(*names: str, order: int = 100) -> Callable[[Hook], Hook]:
    """Register ``hook(call)`` to run before transitions ``names``; it refuses by raising."""
    return _register("precondition", names, order)


def before_save(*names: str, order: int = 100) -> Callable[[Hook], Hook]:
    """Register ``hook(call)`` to run after transitions ``names`` changed the state, before the save."""
    return _register("before_save", names, order)


def effect(*names: str, order: int = 100) -> Callable[[Hook], Hook]:
    """Register ``hook(call)`` to run after transitions ``names`` were saved and recorded."""
    return _register("effect", names, order)


def run(kind: str, call: TransitionCall) -> None:
    for entry in _hooks[kind]:
        if call.name in entry.names:
            entry.hook(call)


def registered(kind: str, name: str) -> list[Hook]:
    """The hooks of ``kind`` that run for transition ``name``, in order (for tests and the admin's eyes)."""
    return [e.hook for e in _hooks[kind] if name in e.names]
