"""paintcore: the pure domain of PaintBot (use cases, policies, ports); no I/O, standard library only."""
