"""What Chrome does: URLs, IWA versions, CSP, permissions policy, update manifests, signatures.

Each module states the Chromium behaviour it models and where it was read from.
"""
