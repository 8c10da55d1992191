"""The engine: the model, rule registry, runner, context, findings, suppressions, settings.

It knows no rule by name and nothing of Chrome or Capgo; those live in
`auditor.chrome`, `auditor.capgo` and the rule families in `auditor.rules`.
"""
