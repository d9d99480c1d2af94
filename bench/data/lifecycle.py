"""The lifecycle the generator walks: where projects stand, the path that led there and how long each
stage lasts, so stage durations and conversion rates computed from the events look like real ones."""

from __future__ import annotations

# Where the projects stand, in per cent: an open pipeline, two-plus years of closed deals and the
# delivery of the deals won.
STATE_MIX = [
    ("tender", 10),
    ("initiation_review", 3),
    ("rejected", 5),
    ("pursuit", 12),
    ("bidding", 9),
    ("negotiation", 4),
    ("contract_review", 2),
    ("won", 3),
    ("lost", 20),
    ("abandoned", 8),
    ("implementation", 8),
    ("suspended", 1),
    ("acceptance_review", 2),
    ("accepted", 1),
    ("warranty", 7),
    ("closed", 5),
]
_MAIN = [
    "tender",
    "initiation_review",
    "pursuit",
    "bidding",
    "negotiation",
    "contract_review",
    "won",
    "implementation",
    "acceptance_review",
    "accepted",
    "warranty",
    "closed",
]


def _path(state: str) -> list[str]:
    if state in _MAIN:
        return _MAIN[: _MAIN.index(state) + 1]
    return {
        "rejected": ["tender", "initiation_review", "rejected"],
        "lost": ["tender", "initiation_review", "pursuit", "bidding", "lost"],
        "abandoned": ["tender", "initiation_review", "pursuit", "abandoned"],
        "suspended": [*_MAIN[: _MAIN.index("implementation") + 1], "suspended"],
    }[state]


PATHS = {state: _path(state) for state, _weight in STATE_MIX}
TERMINAL = {"rejected", "lost", "abandoned", "closed"}
REACHED_WON = {"won", "implementation", "suspended", "acceptance_review", "accepted", "warranty", "closed"}
GATED = {"rejected", "pursuit", "won", "accepted"}  # entered by a gate decision
TRANSITION_INTO = {
    "initiation_review": "submit_initiation",
    "rejected": "reject_initiation",
    "pursuit": "approve_initiation",
    "bidding": "start_bidding",
    "negotiation": "award",
    "contract_review": "submit_contract_review",
    "won": "approve_contract",
    "lost": "lose",
    "abandoned": "abandon",
    "implementation": "kickoff",
    "suspended": "suspend",
    "acceptance_review": "request_acceptance",
    "accepted": "approve_acceptance",
    "warranty": "start_warranty",
    "closed": "close",
}
# Days spent in a stage before moving on (low, high).
STAGE_DAYS = {
    "tender": (3, 20),
    "initiation_review": (1, 7),
    "pursuit": (10, 60),
    "bidding": (15, 45),
    "negotiation": (5, 30),
    "contract_review": (2, 10),
    "won": (3, 15),
    "implementation": (30, 180),
    "suspended": (10, 60),
    "acceptance_review": (5, 20),
    "accepted": (1, 10),
    "warranty": (365, 730),
}
PROBABILITY = {
    "tender": (10, 20),
    "initiation_review": (15, 25),
    "pursuit": (20, 50),
    "bidding": (40, 70),
    "negotiation": (60, 90),
    "contract_review": (80, 95),
}
WINDOW_DAYS = 800  # closed deals are spread over this many days before today
