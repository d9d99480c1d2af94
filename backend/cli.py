"""The ``sicrm`` console script: manage.py under the product's name (``sicrm serve``, ``sicrm demo`` ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([os.path.basename(sys.argv[0]) or "sicrm", *sys.argv[1:]])


if __name__ == "__main__":
    main()
