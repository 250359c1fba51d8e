"""`python -m sumtui` runs the command line."""

from sumtui.cli.main import main

raise SystemExit(main())
