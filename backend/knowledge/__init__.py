"""Knowledge base: categories, keywords, articles and their links to projects (arrives with search)."""
