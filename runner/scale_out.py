"""`make run-scale-out`: the product as it runs on several machines, on one.

PostgreSQL holds the api's data and Rasa's conversations, Redis carries live events, rate-limit counters and
Rasa's per-conversation locks, two Rasa replicas and two api replicas do the work, and nginx in front spreads
customers, agents and editors over the api replicas and the api's calls over the Rasa replicas. The same
function starts it for the integration test.
"""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from api.settings import Settings
from api.storage.private_files import private_dir
from runner.processes import (
    StartupError,
    answers,
    build_index,
    exit_with,
    free_port,
    port_is_free,
    rasa_token,
    start_api,
    start_rasa,
    stop,
    stop_on_signals,
    wait_until,
)
from runner.servers import NginxProxy, PostgresServer, RedisServer, ServerError
from runner.supervisor import Part, Supervisor
from runner.training import TrainingError, ensure_model

REPLICAS = ("a", "b")


@dataclass
class Replica:
    """One api or Rasa process of the profile, reachable on its own loopback port besides the proxy."""

    name: str
    settings: Settings
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        port = self.settings.api_port if self.name.startswith("api") else self.settings.rasa_port
        return f"http://127.0.0.1:{port}"


@dataclass
class ScaleOut:
    """The running profile: the proxy's settings (what customers see) and every replica behind it."""

    settings: Settings
    apis: list[Replica] = field(default_factory=list)
    rasas: list[Replica] = field(default_factory=list)
    proxy: NginxProxy | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    def wait_healthy(self, timeout: float) -> None:
        token = rasa_token(self.settings)
        for rasa in self.rasas:
            wait_until(f"Rasa replica {rasa.name}", f"{rasa.url}/status", rasa.process, timeout=timeout, log=rasa.log, params=token)
        for api in self.apis:
            wait_until(f"api replica {api.name}", f"{api.url}/api/health", api.process, timeout=timeout, log=api.log)

    def supervised(self, model: Path) -> Supervisor:
        """The replicas under the runner's supervisor: one that exits is started again (nginx skips it meanwhile)."""
        token = rasa_token(self.settings)
        parts = [self._part(r, partial(start_rasa, r.settings, model, r.log), partial(answers, f"{r.url}/status", token)) for r in self.rasas]
        parts += [self._part(a, partial(start_api, a.settings, a.log), partial(answers, f"{a.url}/api/health")) for a in self.apis]
        return Supervisor({part.name: part for part in parts})

    @staticmethod
    def _part(replica: Replica, start: Callable[[], subprocess.Popen], healthy: Callable[[], bool]) -> Part:
        """A supervised part that keeps `replica.process` current, so stopping the profile stops the restarted process."""
        def start_again() -> subprocess.Popen:
            replica.process = start()
            return replica.process
        return Part(replica.name, replica.process, start=start_again, healthy=healthy, log=str(replica.log), healthy_since=time.monotonic())


def replica_settings(settings: Settings, folder: Path, *, database_url: str, redis_url: str, tracker_store_url: str,
                     proxy_actions_port: int, proxy_rasa_port: int) -> tuple[list[Settings], list[Settings]]:
    """Settings of each Rasa and api replica, derived from the public ones.

    Rasa replicas call the actions through the proxy's loopback actions port; api replicas reach Rasa through
    the proxy and keep their own index (var folder), sharing the embedding cache and the trained models.
    """
    shared = {"database_url": database_url, "redis_url": redis_url, "rate_limit_storage": f"async+{redis_url}",
              "rasa_tracker_store_url": tracker_store_url, "rasa_lock_store_url": redis_url.rsplit("/", 1)[0] + "/1",
              "models_dir": settings.model_dir, "cache_dir": settings.embedding_cache_dir, "public_url": settings.base_url}
    rasas = [settings.model_copy(update={**shared, "rasa_port": free_port(), "api_port": proxy_actions_port}) for _ in REPLICAS]
    apis = []
    for name in REPLICAS:
        var = folder / f"api-{name}"
        (var / "logs").mkdir(parents=True, exist_ok=True)
        apis.append(settings.model_copy(update={**shared, "var_dir": var, "api_host": "127.0.0.1", "api_port": free_port(),
                                                "rasa_port": proxy_rasa_port}))
    return rasas, apis


@contextmanager
def running_scale_out(settings: Settings, model: Path, *, postgres: PostgresServer, redis: RedisServer,
                      timeout: float = 300.0) -> Iterator[ScaleOut]:
    """Every replica and the proxy, started, healthy, and stopped on exit whatever happens.

    `postgres` and `redis` are started by the caller (persistent ones for `make run-scale-out`, throwaway ones in tests).
    """
    folder = settings.var_dir / "scale-out"
    logs = private_dir(folder / "logs")
    proxy_actions_port, proxy_rasa_port = free_port(), free_port()
    database_url = postgres.database("shopbot").replace("postgresql://", "postgresql+asyncpg://")
    rasa_settings, api_settings = replica_settings(settings, folder, database_url=database_url, redis_url=redis.url,
                                                   tracker_store_url=postgres.database("rasa"), proxy_actions_port=proxy_actions_port,
                                                   proxy_rasa_port=proxy_rasa_port)
    profile = ScaleOut(settings)

    def stop_replicas() -> None:
        for r in profile.apis + profile.rasas:
            stop(r.process)

    with ExitStack() as cleanup:
        cleanup.callback(stop_replicas)
        for name, replica in zip(REPLICAS, rasa_settings):
            log = logs / f"rasa-{name}.log"
            profile.rasas.append(Replica(f"rasa-{name}", replica, start_rasa(replica, model, log), log))
        for name, replica in zip(REPLICAS, api_settings):
            build_index(replica)  # the index before the replica starts, so it serves at once (the cache makes the second quick)
            log = logs / f"api-{name}.log"
            profile.apis.append(Replica(f"api-{name}", replica, start_api(replica, log), log))
        profile.proxy = NginxProxy(folder / "nginx", public_host=settings.api_host, public_port=settings.api_port,
                                   actions_port=proxy_actions_port, rasa_port=proxy_rasa_port, api_ports=[a.settings.api_port for a in profile.apis],
                                   rasa_ports=[r.settings.rasa_port for r in profile.rasas], max_body_bytes=settings.max_body_bytes)
        profile.proxy.start()
        cleanup.callback(profile.proxy.stop)
        profile.wait_healthy(timeout)
        yield profile


def hidden(url: str, postgres: PostgresServer) -> str:
    """`url` as a shell command line can use it, with the password read from its file rather than printed."""
    return url.replace(f":{postgres.password}@", f":$(cat {postgres.folder / 'password'})@")


def main() -> None:
    settings = Settings()
    if not port_is_free(settings.api_port):
        exit_with(f"port {settings.api_port} for the proxy is in use: stop what runs there or set SHOPBOT_API_PORT")
    try:
        model = ensure_model(settings.model_dir, log=None)
    except TrainingError as exc:
        exit_with(str(exc))
    stop_on_signals()
    folder = settings.var_dir / "scale-out"
    print("Starting PostgreSQL, Redis, two Rasa replicas, two api replicas and nginx (about two minutes)...", flush=True)
    try:
        with ExitStack() as cleanup:
            postgres = PostgresServer(folder / "postgres")
            postgres.start()
            cleanup.callback(postgres.stop)
            redis = RedisServer()
            cleanup.callback(redis.stop)
            redis.wait_ready()
            profile = cleanup.enter_context(running_scale_out(settings, model, postgres=postgres, redis=redis))
            print(f"\nShopbot (scale-out profile) is running behind nginx.\n"
                  f"  demo shop:  {settings.base_url}/demo/\n"
                  f"  agents:     {settings.base_url}/console/  (first admin: SHOPBOT_DATABASE_URL={hidden(profile.apis[0].settings.database, postgres)} "
                  f".venv/bin/python -m api.cli create-agent --role admin --email you@shop.example --name You)\n"
                  f"  api:        {', '.join(a.url for a in profile.apis)}\n"
                  f"  Rasa:       {', '.join(r.url for r in profile.rasas)} (loopback only)\n"
                  f"  PostgreSQL: 127.0.0.1:{postgres.port} (data in {postgres.folder}); Redis: 127.0.0.1:{redis.port}\n"
                  f"  logs:       {folder / 'logs'}\n"
                  f"A replica that exits is started again. Press Ctrl-C to stop.\n", flush=True)
            supervisor = profile.supervised(model)
            supervisor.start()
            cleanup.callback(supervisor.stop)  # first thing at shutdown: the replicas stopped then are not started again
            while True:
                time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    except (StartupError, ServerError) as exc:
        exit_with(str(exc))
    sys.exit(0)


if __name__ == "__main__":
    main()
