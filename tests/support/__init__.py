"""Real parts the tests and benchmarks start: PostgreSQL clusters, live servers, fakes."""
