"""A throwaway PostgreSQL cluster: initdb + pg_ctl in a temporary folder, on a free port.

As root, PostgreSQL refuses to run, so the server binaries run as the ``postgres`` (or
``nobody``) user on a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("PostgreSQL server binaries not found: run scripts/setup.sh")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PostgresCluster:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="omo-pg-"))
        self.port = free_port()
        self.user = "omo"
        self._runas: list[str] = []
        if os.geteuid() == 0:
            owner = "postgres"
            try:
                pwd.getpwnam(owner)
            except KeyError:
                owner = "nobody"
            self._runas = ["runuser", "-u", owner, "--"]
            shutil.chown(self.dir, user=owner)
        self.data = self.dir / "data"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self._runas, *args], check=True, capture_output=True, cwd=self.dir, timeout=120
        )

    def start(self) -> PostgresCluster:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            self.user,
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        self.resume()
        return self

    def pause(self) -> None:
        """Stop the server, keeping its data: a database outage."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        opts = (
            f"-k {self.dir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str) -> None:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        tmpl = f" TEMPLATE {template}" if template else ""
        self.admin(f'CREATE DATABASE "{name}"{tmpl}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
