"""Milestones: delivery milestones, deliverables, acceptance, payments and alarms (arrives with delivery)."""
