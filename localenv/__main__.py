"""``python -m localenv up|down|status``."""

import sys

from localenv.services import main

sys.exit(main())
