"""The training run: the run itself (:mod:`.run`), the round schedule
(:mod:`.schedule`), the mixing controller (:mod:`.controller`), per-group
losses (:mod:`.losses`), offline mixtures (:mod:`.offline`), the progress bar
(:mod:`.progress`) and the budget warnings (:mod:`.guards`)."""
