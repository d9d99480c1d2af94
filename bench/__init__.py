"""Benchmarks: data generator and timed scenarios, run with `sicrm bench ...`."""
