"""Benchmarks: each module measures our code and its baseline side by side in one run."""
