"""The single-file agent's entry point: PyInstaller runs this file as ``__main__``.

A file of its own (not ``vci_agent/__main__.py``) so that the frozen program imports
``vci_agent`` as the package it is, with absolute imports, exactly like ``python -m vci_agent``.
"""

from vci_agent.cli import main

raise SystemExit(main())
