"""Starts and stops the product's two processes: the Rasa server (loopback only) and the api.

Used by `make run` and by the integration tests, so both run the product the same way.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from pydantic import SecretStr

from api.settings import ROOT, Settings
from api.storage.private_files import open_private_log, private_dir, private_sqlite_file
from runner.supervisor import Backoff, Part, Supervisor
from runner.training import RASA_BIN, rasa_env

API_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA_PYTHON = RASA_BIN.parent / "python"


class StartupError(RuntimeError):
    """A process did not become healthy; the message names its log."""


RASA, API = "Rasa", "the api"  # the parts' names, as the supervisor says them


@dataclass
class Stack:
    """The running product: where to reach it, and its processes, which the supervisor restarts when they exit."""

    settings: Settings
    supervisor: Supervisor
    api_log: Path | None = None
    model: Path | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    @property
    def rasa(self) -> subprocess.Popen:
        return self.supervisor.parts[RASA].process

    @property
    def api(self) -> subprocess.Popen:
        return self.supervisor.parts[API].process

    def stop_api(self) -> None:
        stop(self.supervisor.hold(API))

    def start_api(self, *, timeout: float = 120.0) -> None:
        wait_until("the api", f"{self.api_url}/api/health", self.supervisor.release(API), timeout=timeout, log=self.api_log)

    def stop_rasa(self) -> None:
        stop(self.supervisor.hold(RASA))

    def start_rasa(self, *, timeout: float = 240.0) -> None:
        """Start Rasa again with the same model (it takes about a minute to load)."""
        wait_until("Rasa", f"{self.settings.rasa_url}/status", self.supervisor.release(RASA), timeout=timeout,
                   log=self.settings.var_dir / "logs" / "rasa.log", params=rasa_token(self.settings))

    @contextmanager
    def api_served_here(self, app: Any, *, timeout: float = 180.0) -> Iterator[None]:
        """`app` (the api's ASGI app) served from this process on the api's port instead of the api process, which comes
        back after: tests and profiles watch the api's own functions and engine, and Rasa's action calls reach it as usual."""
        import uvicorn  # here, where it is used: `make run`'s runner serves nothing itself

        self.stop_api()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.settings.api_port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + timeout
            while not server.started and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.2)
            if not server.started:
                raise RuntimeError(f"the api in this process did not start within {timeout:.0f} s")
            yield
        finally:
            server.should_exit = True
            thread.join(timeout=60)
            self.start_api()

    def restart_api(self) -> None:
        """Stop the api and start it again (as a deployment would); Rasa keeps running."""
        self.stop_api()
        self.start_api()


def service_env(settings: Settings) -> dict[str, str]:
    """The environment both processes share, so they agree on ports, tokens and paths."""
    env = dict(os.environ)
    env.update({
        "SHOPBOT_VAR_DIR": str(settings.var_dir),
        "SHOPBOT_CONTENT_DIR": str(settings.content_dir),
        "SHOPBOT_API_HOST": settings.api_host,
        "SHOPBOT_API_PORT": str(settings.api_port),
        "SHOPBOT_RASA_PORT": str(settings.rasa_port),
        "SHOPBOT_RASA_TOKEN": settings.rasa_token.get_secret_value(),
        "SHOPBOT_ACTION_TOKEN": settings.action_token.get_secret_value(),
        "SHOPBOT_CACHE_DIR": str(settings.embedding_cache_dir),
        "SHOPBOT_MODELS_DIR": str(settings.model_dir),
        "SHOPBOT_EMBEDDER": settings.embedder,
        "OMP_NUM_THREADS": "1",
    })
    env.update(explicit_settings_env(settings))
    return env


def explicit_settings_env(settings: Settings) -> dict[str, str]:
    """Every setting the caller chose explicitly (e.g. a test's SMTP port), as the SHOPBOT_* variable that sets it."""
    env = {}
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"SHOPBOT_{name.upper()}"] = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return env


def rasa_store_env(settings: Settings) -> dict[str, str]:
    """Where Rasa keeps its conversations (both endpoints files), and for endpoints.scale-out.yml the lock store's host,
    port, db and password one by one, as Rasa's RedisLockStore takes them (in the environment: `ps` shows arguments)."""
    env = {"SHOPBOT_RASA_TRACKER_STORE_URL": settings.rasa_tracker_store}
    if settings.rasa_lock_store_url is None:
        return env
    url = urlsplit(settings.rasa_lock_store_url)
    return {**env, "SHOPBOT_RASA_LOCK_STORE_HOST": url.hostname or "127.0.0.1", "SHOPBOT_RASA_LOCK_STORE_PORT": str(url.port or 6379),
            "SHOPBOT_RASA_LOCK_STORE_DB": url.path.strip("/") or "1", "SHOPBOT_RASA_LOCK_STORE_PASSWORD": unquote(url.password or "")}


def start_rasa(settings: Settings, model: Path, log: Path) -> subprocess.Popen:
    """`rasa run` through bot/serve.py, which takes the token from SHOPBOT_RASA_TOKEN: never an argument, which `ps` shows."""
    command = [str(RASA_PYTHON), "-m", "bot.serve", "run", "--enable-api", "--interface", settings.rasa_host, "--port", str(settings.rasa_port),
               "--model", str(model), "--endpoints", str(settings.rasa_endpoints), "--credentials", "credentials.yml"]
    env = {**rasa_env(), **service_env(settings), **rasa_store_env(settings)}
    private_sqlite_file(settings.rasa_tracker_store)  # before Rasa creates it: the conversations are customers' words
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=open_private_log(log), stderr=subprocess.STDOUT, start_new_session=True)


def build_index(settings: Settings) -> None:
    """Build the knowledge index if the content changed (`shopbot-kb build`), before the api starts, so it serves at once.

    In a process of its own: the runner only starts and watches the others, and the e5 model, scikit-learn and the
    fitted index a build loads would stay in its memory for as long as the product runs (about 230 MB).
    """
    result = subprocess.run([str(API_PYTHON), "-m", "knowledge.cli", "build"], cwd=ROOT, env=service_env(settings), check=False)
    if result.returncode != 0:
        raise StartupError(f"the knowledge index was not built (`shopbot-kb build` exited with code {result.returncode}): "
                           f"fix what it said above and run again")


# glibc's malloc told to give freed memory back to the system: blocks over 64 KiB (numpy arrays, the fits at an index
# load) mapped on their own and unmapped when freed, the heap's free top returned past 1 MiB, two arenas for the
# threadpool's threads instead of eight per core. The api at rest after a few messages: 546 → 492 MiB, back to back
# (docs/benchmarks.md, Memory). Values an operator exported win.
API_MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "1048576"}


def start_api(settings: Settings, log: Path | None) -> subprocess.Popen:
    command = [str(API_PYTHON), "-m", "uvicorn", "api.main:create_app", "--factory", "--ws-max-size", str(settings.ws_max_message_bytes),
               "--host", settings.api_host, "--port", str(settings.api_port)]
    output = open_private_log(log) if log else None  # logs may quote customers: readable by this user only
    env = {**API_MALLOC_ENV, **service_env(settings)}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if output else None, start_new_session=True)


def answers(url: str, params: dict | None = None) -> bool:
    """Whether `url` answers 200 now (a health check)."""
    try:
        return httpx.get(url, params=params, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def rasa_token(settings: Settings) -> dict[str, str]:
    """Rasa's HTTP API takes its token as a query parameter."""
    return {"token": settings.rasa_token.get_secret_value()}


def wait_until(check: str, url: str, process: subprocess.Popen, *, timeout: float, log: Path | None, params: dict | None = None) -> None:
    """Poll `url` until it answers 200, failing early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"{check} exited with code {process.returncode}" + (f"; see {log}" if log else ""))
        if answers(url, params):
            return
        time.sleep(0.5)
    raise StartupError(f"{check} was not healthy within {timeout:.0f} s" + (f"; see {log}" if log else ""))


def stop(process: subprocess.Popen, *, grace: float = 15.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after `grace` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


@contextmanager
def running_stack(settings: Settings, model: Path, *, api_log: Path | None = None, timeout: float = 240.0,
                  backoff: Backoff | None = None) -> Iterator[Stack]:
    """Rasa and the api, started, healthy, restarted whenever one exits, and all stopped on exit whatever happens.

    The supervisor stops first, so the processes stopped then are not started again.
    """
    rasa_log = private_dir(settings.var_dir / "logs") / "rasa.log"
    api_url = f"http://127.0.0.1:{settings.api_port}"
    rasa = Part(RASA, start_rasa(settings, model, rasa_log), start=lambda: start_rasa(settings, model, rasa_log),
                healthy=lambda: answers(f"{settings.rasa_url}/status", rasa_token(settings)), log=str(rasa_log))
    supervisor = Supervisor({RASA: rasa}, backoff or Backoff())
    try:
        supervisor.parts[API] = Part(API, start_api(settings, api_log), start=lambda: start_api(settings, api_log),
                                     healthy=lambda: answers(f"{api_url}/api/health"), log=str(api_log or "the runner's output"))
        wait_until("Rasa", f"{settings.rasa_url}/status", rasa.process, timeout=timeout, log=rasa_log, params=rasa_token(settings))
        wait_until("the api", f"{api_url}/api/health", supervisor.parts[API].process, timeout=timeout, log=api_log)
        for part in supervisor.parts.values():
            part.healthy_since = time.monotonic()
        supervisor.start()
        yield Stack(settings, supervisor, api_log, model)
    finally:
        supervisor.stop()
        for part in supervisor.parts.values():
            stop(part.process)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return sock.connect_ex((host, port)) != 0


def exit_with(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(1)


def free_port() -> int:
    """A loopback port nobody listens on now (for tests and benchmarks that start their own stack)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and SIGTERM both stop the processes cleanly, even where a shell ignored SIGINT."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
