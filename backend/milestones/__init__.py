"""Delivery: milestones with their own state machine, versioned deliverables, acceptance (验收) records,
payment terms, invoices and receipts (收款), key tasks, and the alarms that escalate overdue work up the
management chain. Project state changes stay in ``backend.projects.services``; this app owns what
happens inside implementation."""
