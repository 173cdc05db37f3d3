"""The scale-out profile's PostgreSQL and Redis, started as the runner starts them: loopback is no boundary against other
local users, so both refuse a client without the password, and the password is in no command line and no readable file."""
from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from runner.servers import PostgresServer, RedisServer


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.wait_ready()
    yield server
    server.stop()


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_postgresql_refuses_a_client_without_the_password(postgres: PostgresServer) -> None:
    without = {name: value for name, value in os.environ.items() if name != "PGPASSWORD"}
    refused = subprocess.run([str(postgres.bin / "psql"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "shopbot", "-d", "postgres",
                              "-w", "-tAc", "SELECT 1"], env=without, capture_output=True, text=True, timeout=30, check=False)
    assert refused.returncode != 0 and "password" in refused.stderr, refused.stderr
    assert postgres.query("postgres", "SELECT 1") == "1"  # with it
    assert postgres.password in postgres.database("shopbot")
    assert private(postgres.folder / "password") and private(postgres.folder)


def test_redis_refuses_a_client_without_the_password(redis_server: RedisServer) -> None:
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host="127.0.0.1", port=redis_server.port).ping()
    assert redis.Redis.from_url(redis_server.url).ping()
    command_line = Path(f"/proc/{redis_server.process.pid}/cmdline").read_bytes()
    assert redis_server.password.encode() not in command_line
    assert private(redis_server.folder / "redis.conf")
