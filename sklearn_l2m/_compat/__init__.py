"""Every use of another library's private API, by library and job, each behind
a probe with a public fallback: :mod:`.hooks` (the registry, the switch and the
fallback warning), :mod:`.sklearn_params`, :mod:`.sklearn_tags`,
:mod:`.sklearn_ensembles` and :mod:`.xgboost`.
"""
