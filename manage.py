#!/usr/bin/env python
"""Django's manage.py; ``sicrm`` is the same command installed on PATH."""

from backend.cli import main

if __name__ == "__main__":
    main()
