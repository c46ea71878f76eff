"""``python -m vehicle_sim``."""

import sys

from vehicle_sim.cli import main

sys.exit(main())
