"""Reports: read-only analytics selectors, Plotly figures and exports (arrives with reporting)."""
