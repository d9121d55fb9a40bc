"""Benchmarks run by `nox -s bench`: each module's run() returns rows; __main__ prints and records them."""
