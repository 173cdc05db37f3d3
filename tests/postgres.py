"""A throwaway PostgreSQL server for tests: Debian's binaries, a fresh cluster in a temporary folder, loopback only."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from runner.processes import free_port

USER = "shopbot"


def postgres_bin() -> Path:
    """The newest installed server's bin folder (Debian puts it under /usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if not found and shutil.which("initdb"):
        found = [shutil.which("initdb")]
    if not found:
        raise RuntimeError("PostgreSQL's server is not installed: run `make test` (it installs it as root) "
                           "or `sudo apt-get install postgresql`")
    return Path(found[-1]).parent


class PostgresServer:
    """initdb + pg_ctl as the `postgres` system user when we are root (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="shopbot-postgres-"))  # not under pytest's tmp: that is root-only
        self.port = free_port()
        self.bin = postgres_bin()

    def _run(self, *command: str) -> None:
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_user, *command], check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = str(self.folder / "data")
        self._run(str(self.bin / "initdb"), "-D", data, "-U", USER, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
        self._run(str(self.bin / "pg_ctl"), "-D", data, "-l", str(self.folder / "server.log"), "-w", "start",
                  "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self) -> str:
        """A new empty database; its async SQLAlchemy URL."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return f"postgresql+asyncpg://{USER}@127.0.0.1:{self.port}/{name}"
