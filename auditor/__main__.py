"""`python -m auditor` runs the same CLI as the `iwa-audit` console script."""

from auditor.launch import main

raise SystemExit(main())
