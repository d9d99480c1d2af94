"""Customers: the organisations sicrm sells to, their contacts and every interaction with them.
Owns the duplicate guard (normalized name, unified social credit code). Projects and bids refer to it."""
