"""auditor.schemas: JSON Schemas and data files the rules read (a package so it ships in editable installs)."""
