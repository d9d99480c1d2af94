"""Bids: tenders, bid rounds, quotations, contract terms and win/loss records (arrives with the presales lifecycle)."""
