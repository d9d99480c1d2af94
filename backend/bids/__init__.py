"""Bids: tender notices (招标公告) and their import, bid rounds with bonds and opening records, quotation
versions with SQL-computed totals and margin, contract terms, and win/loss records. Project state is
not changed here: that is ``backend.projects.services`` and the gate engine."""
