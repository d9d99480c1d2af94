"""Projects: the deal record from tender to closure (arrives with the presales lifecycle)."""
