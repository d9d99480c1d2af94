from rest_framework.pagination import PageNumberPagination as _Base

from backend.core.pagination import DeferredPaginator


class PageNumberPagination(_Base):
    """``{"count", "next", "previous", "results"}``; ``?page=`` and ``?page_size=`` (at most 200). Pages are
    read ids first (``backend.core.pagination``), so a deep page costs about what the first one does."""

    django_paginator_class = DeferredPaginator
    page_size_query_param = "page_size"
    max_page_size = 200
