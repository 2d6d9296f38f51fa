"""Benchmark and load-test tooling: `make bench`, `make loadtest`, `seed_demo`.

Kept apart from the product: settings install this app only where it is used
(development, tests, and the Makefile's bench and loadtest targets), so a
production deployment never ships these commands."""
