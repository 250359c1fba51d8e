"""`python -m sumtui` runs the command line."""

from sumtui.main import main

raise SystemExit(main())
