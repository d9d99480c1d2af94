"""Full-text search for sicrm (DESIGN.md §2 knowledge, §8): one interface, two backends.

``registry`` collects what each app contributes (its ``search.py``); ``analysis`` is the one text
analysis (Simplified/Traditional folding, rjieba segmentation, English stemming) used at index and query
time by the embedded backend; ``embedded`` (tantivy, the default) and ``elasticsearch`` implement
``base.SearchBackend``; ``queue`` turns model changes into after-commit index tasks; ``services`` index,
rebuild and reconcile; ``selectors.search`` is the one read path, with the user's visibility applied inside
the index query. Nothing here knows the models of any app: they are described by their ``SearchIndex``.
"""
