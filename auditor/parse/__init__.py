"""Parsers shared by the rules (HTML, CSS, JS, JSON with positions, CSP, structured fields).

Each takes a Context and memoises its result, so a resource is parsed once per audit.
"""
