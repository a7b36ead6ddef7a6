"""``python -m newsbot.cli``: the ``newsbot`` command without the console script."""

import sys

from newsbot.cli import main

sys.exit(main())
