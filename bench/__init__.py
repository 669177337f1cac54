"""Backend benchmarks: figures printed beside their targets, never asserted.

``python -m bench.backend`` seeds a large customer table, starts the real server in a child
process and loads it from other processes; ``python -m bench.longpoll`` measures what holding
many long-poll requests costs the server. See ``bench/README.md``.
"""
