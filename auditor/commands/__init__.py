"""The subcommands: audit, inspect, release (each a module with `run(argv)` or a function)."""
