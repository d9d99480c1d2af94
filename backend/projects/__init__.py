"""Projects: one record per deal from tender notice to closure — its lifecycle state machine, team,
competitors, partners, budget, checklist and the append-only event log. Transitions are made only by
``services.project_transition`` (users) and the gate engine in ``workflows`` (gated transitions)."""
