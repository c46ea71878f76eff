"""``python -m vci_agent``."""

from vci_agent.cli import main

raise SystemExit(main())
