"""Writes of the knowledge base, one module per subject: articles (create, edit with version history,
submit → review → publish → archive), attachments with extracted text, proposals from project records
(知识文档 → 知识库), the knowledge admin's review of them, categories and keywords, and decisions on project links.

Each function is one transaction, keyword-only, and refuses with the ``ApplicationError`` family. Indexing
is not done here: the search signals queue it after commit (``backend.search.queue``).
"""

from backend.knowledge.services.articles import (
    allowed_transitions,
    article_create,
    article_review,
    article_transition,
    article_update,
    can_edit_article,
    category_create,
    keyword_ensure,
    keywords_ensure,
)
from backend.knowledge.services.attachments import (
    article_attachment_add,
    article_attachment_remove,
    attachment_text_extract,
    attachments_text_pending,
)
from backend.knowledge.services.links import (
    link_add,
    link_decide,
)
from backend.knowledge.services.proposals import (
    article_propose,
)

__all__ = [
    "allowed_transitions",
    "article_attachment_add",
    "article_attachment_remove",
    "article_create",
    "article_propose",
    "article_review",
    "article_transition",
    "article_update",
    "attachment_text_extract",
    "attachments_text_pending",
    "can_edit_article",
    "category_create",
    "keyword_ensure",
    "keywords_ensure",
    "link_add",
    "link_decide",
]
