"""PostgreSQL, Redis and nginx servers from Debian's packages, on loopback, for the scale-out profile and its tests.

Each keeps its files in one folder: a throwaway temporary one (tests) or one under var/ that survives restarts
(`make run-scale-out`). `make services` installs the packages when they are missing.
"""
from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from api.storage.private_files import private_dir, private_file
from runner.processes import free_port

USER = "shopbot"
INSTALL_HINT = "run `make services` (it installs them as root) or `sudo apt-get install postgresql redis-server nginx-light`"


class ServerError(RuntimeError):
    """A server could not be found, started or reached; the message says what to do."""


def server_password(path: Path) -> str:
    """The password kept in `path` (mode 0600), made on first use: loopback is not a boundary against other local users.

    It never goes on a command line (`ps` shows those); servers read it from a file, clients from the environment or a URL.
    """
    if not path.exists() or not path.read_text().strip():
        private_file(path).write_text(secrets.token_urlsafe(24))
    return path.read_text().strip()


def wait_for_port(name: str, port: int, *, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise ServerError(f"{name} did not listen on port {port} within {timeout:.0f} s")


def postgres_bin() -> Path:
    """The newest installed server's bin folder (Debian puts it under /usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if not found and (initdb := shutil.which("initdb")):
        found = [initdb]
    if not found:
        raise ServerError(f"PostgreSQL's server is not installed: {INSTALL_HINT}")
    return Path(found[-1]).parent


class PostgresServer:
    """initdb + pg_ctl, as the `postgres` system user when we are root (PostgreSQL refuses to run as root).

    `folder=None` makes a throwaway server; a given folder keeps its databases from one start to the next. Every
    connection, loopback ones included, needs the password (scram-sha-256), which stays in the folder's `password` file.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.throwaway = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="shopbot-postgres-")) if folder is None else folder  # not under pytest's tmp: that is root-only
        self.port = free_port()
        self.bin = postgres_bin()

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def password(self) -> str:
        return server_password(self.folder / "password")

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        env = {**os.environ, "PGPASSWORD": self.password}
        return subprocess.run([*as_user, *command], check=True, capture_output=True, text=True, timeout=120, env=env)

    def start(self) -> None:
        private_dir(self.folder)
        password = self.folder / "password"
        server_password(password)  # made before initdb reads it
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(password, "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "--auth=scram-sha-256", f"--pwfile={password}",
                      "--encoding=UTF8", "--locale=C.UTF-8")
        elif "trust" in self._rules():
            raise ServerError(f"the PostgreSQL data in {self.data} lets anyone on this machine in without a password (it was made "
                              f"before passwords were required); it is a local copy for the scale-out profile: remove {self.folder} "
                              f"and start again")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1" + (" -c fsync=off" if self.throwaway else "")
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "start", "-o", options)
        except subprocess.CalledProcessError as exc:
            raise ServerError(f"PostgreSQL did not start ({exc.stderr.strip()}); see {self.folder / 'server.log'}") from exc

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        if self.throwaway:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _rules(self) -> str:
        """pg_hba.conf without its comments: who may connect, and how."""
        lines = (self.data / "pg_hba.conf").read_text().splitlines()
        return "\n".join(line for line in lines if line.strip() and not line.lstrip().startswith("#"))

    def query(self, database: str, sql: str) -> str:
        """psql's bare output of one statement (as an operator would read it)."""
        return self._run(str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database, "-tAc", sql).stdout.strip()

    def database(self, name: str) -> str:
        """The database `name`, created if it does not exist; its address without a driver (postgresql://…)."""
        if not self.query("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{name}"

    def new_database(self) -> str:
        """A new empty database; its async SQLAlchemy URL (for the api)."""
        return self.database(f"test_{uuid.uuid4().hex[:12]}").replace("postgresql://", "postgresql+asyncpg://")


class RedisServer:
    """redis-server on a free loopback port, nothing persisted (it holds counters, locks and live events only).

    Clients must authenticate: the password is in a private configuration file, which redis-server reads (not its
    command line).
    """

    def __init__(self) -> None:
        self.port = free_port()
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerError(f"Redis is not installed: {INSTALL_HINT}")
        self.folder = private_dir(Path(tempfile.mkdtemp(prefix="shopbot-redis-")))
        self.password = server_password(self.folder / "password")
        config = private_file(self.folder / "redis.conf")
        config.write_text(f"bind 127.0.0.1\nport {self.port}\nsave \"\"\nappendonly no\nrequirepass {self.password}\n")
        self.process = subprocess.Popen([binary, str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def wait_ready(self, timeout: float = 10.0) -> None:
        wait_for_port("redis-server", self.port, timeout=timeout)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


NGINX_CONF = """\
# Written by the scale-out runner; changes are lost at the next start.
{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    proxy_max_temp_file_size 0;  # bodies and replies stay in memory: the workers (nobody) may not reach this folder

    upstream api {{ {api_servers} }}
    upstream rasa {{ {rasa_servers} }}

    server {{  # customers, agents and editors
        listen {public_host}:{public_port};
        client_max_body_size {max_body};  # above the api's own limit, so the api answers an oversized body with its reason
        client_body_buffer_size {max_body};
        location /internal/ {{ return 404; }}  # Rasa's action calls come in on loopback only (below)
        location / {{
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;       # live chat (WebSocket)
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1h;
            proxy_next_upstream error timeout;            # a replica that is down is skipped
        }}
    }}
    server {{  # the Rasa replicas call the actions here (a whole tracker and domain per call); loopback only
        listen 127.0.0.1:{actions_port};
        client_max_body_size 32m;
        client_body_buffer_size 32m;
        location /internal/ {{
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_read_timeout 2m;
            proxy_next_upstream error;
        }}
    }}
    server {{  # the api replicas reach the Rasa replicas here; loopback only
        listen 127.0.0.1:{rasa_port};
        location / {{
            proxy_pass http://rasa;
            proxy_http_version 1.1;
            proxy_read_timeout 2m;
            proxy_next_upstream error;
        }}
    }}
}}
"""


class NginxProxy:
    """nginx in front of the api replicas (the public port, and a loopback port for Rasa's action calls) and of the
    Rasa replicas (a loopback port for the api)."""

    def __init__(self, folder: Path, *, public_host: str, public_port: int, actions_port: int, rasa_port: int,
                 api_ports: list[int], rasa_ports: list[int], max_body_bytes: int) -> None:
        self.folder, self.public_port, self.actions_port, self.rasa_port = folder, public_port, actions_port, rasa_port
        binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if binary is None:
            raise ServerError(f"nginx is not installed: {INSTALL_HINT}")
        (folder / "tmp").mkdir(parents=True, exist_ok=True)
        self.config = folder / "nginx.conf"
        self.config.write_text(NGINX_CONF.format(
            user="user nobody nogroup;" if os.geteuid() == 0 else "", folder=folder,
            api_servers=" ".join(f"server 127.0.0.1:{port};" for port in api_ports),
            rasa_servers=" ".join(f"server 127.0.0.1:{port};" for port in rasa_ports),
            public_host=public_host, public_port=public_port, actions_port=actions_port, rasa_port=rasa_port,
            max_body=4 * max_body_bytes))
        self.binary = binary
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        check = subprocess.run([self.binary, "-t", "-p", str(self.folder), "-c", str(self.config), "-e", "stderr"],
                               capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise ServerError(f"nginx refused its configuration {self.config}: {check.stderr.strip()}")
        self.process = subprocess.Popen([self.binary, "-p", str(self.folder), "-c", str(self.config), "-e", "stderr"],
                                        stdout=subprocess.DEVNULL, stderr=(self.folder / "stderr.log").open("ab"))
        for port in (self.public_port, self.actions_port, self.rasa_port):
            wait_for_port("nginx", port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            self.process.wait(15)
