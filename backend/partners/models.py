"""Channel partners' grades and terms (filled by the partners work)."""
