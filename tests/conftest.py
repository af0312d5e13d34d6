"""Make ``ansible_collections.shoppulse.analytics`` and ``localenv`` importable from the checkout."""

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
for path in (CHECKOUT / ".ansible" / "collections", CHECKOUT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
