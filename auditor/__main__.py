"""`python -m auditor` runs the same CLI as the `iwa-audit` console script."""

from auditor.cli import main

raise SystemExit(main())
