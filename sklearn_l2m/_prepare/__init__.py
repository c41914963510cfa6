"""Preparing the data of one fit: input checks (:mod:`.checks`), groups
(:mod:`.groups`), the loss source and held-out rows (:mod:`.loss_source`), the
validation split and :class:`~.split.TrainingData` (:mod:`.split`); in memory
(:mod:`.memory`) and on Dask (:mod:`.dask_data`)."""
