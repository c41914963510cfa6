"""Every use of another library's private API, one module per library, each behind
a probe with a public fallback: :mod:`.hooks` (the registry, the switch and the
fallback warning), :mod:`.sklearn` and :mod:`.xgboost`.
"""
