"""Executive analytics (DESIGN.md §7): read-only reports over the other apps, each a selector that aggregates in
SQL over the projects the user may see, returning tables, headline figures and Plotly figures, served as JSON,
CSV, XLSX and a page; plus the little data analytics need of their own (sales targets, weekly forecast
snapshots, KPI scores, initiation scorecards, digests). Sits on top of every other app and is imported by none.
It must not change projects, bids or delivery data, except customer tiers, which are computed here.
"""
