"""sicrm's Django project: settings, URLs, the Celery app and the `sicrm` command line.

Importing the package loads the Celery app so that `@shared_task` binds to it.
"""

from backend.celery import app as celery_app

__all__ = ["celery_app"]
