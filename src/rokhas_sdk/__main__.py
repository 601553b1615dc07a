"""``python -m rokhas_sdk`` runs the ``rokhas`` command."""

import sys

from .cli import main

sys.exit(main())
