"""Knowledge base: categories, keywords, articles (versions, attachments, visibility), promotion from
project records, and links to projects. Search itself lives in ``backend.search``."""
