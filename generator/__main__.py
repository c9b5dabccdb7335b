"""`python -m generator ...`: see generator/night/cli.py."""

import sys

from generator.night.cli import main

sys.exit(main())
