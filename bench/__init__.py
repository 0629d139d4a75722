"""Benchmarks of the hub: the synthetic country (:mod:`bench.synth`) and the suite (:mod:`bench.run`)."""
