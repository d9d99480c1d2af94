from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data builders (``sicrm demo``): realistic users, customers, deals, delivery, reports history and
    articles, written through the real services, and ``sicrm bench``. The top of the house: it may import any
    app; no app must import it, and it must not write around the services."""

    name = "backend.demo"
    label = "demo"
    verbose_name = "Demo data"
