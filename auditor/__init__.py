"""iwa-audit: a security policy linter for Isolated Web Apps and Capacitor OTA bundles.

Kept import-light on purpose: `iwa-audit --version` must not pull in the parsers.
"""

__version__ = "0.1.0"
