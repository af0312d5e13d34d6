"""``python -m localenv up [SNAPSHOT_FOLDER]|down|status|snapshot SNAPSHOT_FOLDER``."""

import sys

from localenv.services import main

sys.exit(main())
