"""Shared fixtures: the real embedding model once per session, and the running product for integration tests."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from api.settings import ROOT, Settings
from knowledge import KnowledgeBase
from knowledge.embedder import E5Embedder
from knowledge.settings import knowledge_base
from runner.processes import API_PYTHON, Stack, explicit_settings_env, free_port, running_stack, start_api, stop, wait_until
from runner.servers import PostgresServer
from tests.slow_setup import SlowSetup
from tests.tea_shop import CONTENT as TEA_SHOP
from tests.tea_shop import czech_only_shop, tea_shop  # noqa: F401 (fixtures: a second shop on its own stack, for integration and browser tests)

SHOP_ORIGIN = "http://shop.example"  # the one shop site allowed to embed the widget in tests (CORS)
SLOW_FIXTURES = {"trained_model", "demo_vectors"}  # the Rasa model; the repository's whole content embedded


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs one of SLOW_FIXTURES is `slow` without having to say so, so `make test-fast` leaves it out.

    The test files that need the demo content's vectors run after the others, and those that need the Rasa model last,
    each file whole and in its order: the embedding and the training, started with the session (`slow_setup`), run
    beside the unit tests instead of keeping the first test that needs them waiting.
    """
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)

    def files_needing(fixture: str) -> set[Path]:
        return {item.path for item in items if fixture in getattr(item, "fixturenames", ())}

    need_model, need_vectors = files_needing("trained_model"), files_needing("demo_vectors")
    items.sort(key=lambda item: 2 if item.path in need_model else 1 if item.path in need_vectors else 0)  # stable sort


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """`async def` tests run on asyncio, as the api does (anyio_mode = "auto" in pyproject.toml)."""
    return "asyncio"


@pytest.fixture(scope="session")
def e5() -> E5Embedder:
    """The real multilingual model (loads in well under a second: it is memory-mapped)."""
    return E5Embedder()


@pytest.fixture(scope="session", autouse=True)
def slow_setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlowSetup]:
    """Rasa training and the demo content's embedding, started in the background before the first test when a collected
    test needs them (`trained_model`, `demo_vectors`): they run beside the unit tests (tests/slow_setup.py)."""
    needed = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    setup = SlowSetup.start(train="trained_model" in needed, embed="demo_vectors" in needed, work=tmp_path_factory.mktemp("slow-setup"))
    yield setup
    setup.stop()


@pytest.fixture(scope="session")
def embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The e5 vectors every knowledge base of the session shares (built once per session), never the repository's
    var/cache: that one is `make run`'s, and a test must not change what the product serves."""
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture(scope="session")
def demo_vectors(slow_setup: SlowSetup, embedding_cache: Path) -> Path:
    """The session's embedding cache with the demo shop's content in it (embedded in the background since the session
    began): indexing the demo content, or part of it, then embeds nothing."""
    slow_setup.add_demo_vectors(embedding_cache)
    return embedding_cache


@pytest.fixture(scope="session")
def tea_kb(tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path, e5: E5Embedder) -> KnowledgeBase:
    """The tea shop's FAQ as a small shop publishes it (one question, one answer), served with the product's defaults."""
    kb = KnowledgeBase(content_dir=TEA_SHOP, index_dir=tmp_path_factory.mktemp("tea-kb") / "index", cache_dir=embedding_cache, embedder=e5)
    kb.ensure_built()
    return kb


DEMO_CONTENT = ("faq", "manuals", "shop.yml")  # the demo shop's content in knowledge/


def copy_demo_content(target: Path, parts: tuple[str, ...] = DEMO_CONTENT) -> Path:
    """A copy of the demo shop's content (or some of its parts) in `target`: tests edit and index the copy, the
    repository's files stay as they are."""
    for part in parts:
        source = ROOT / "knowledge" / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / part)
    return target


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session (Debian's packages), for the api's data on PostgreSQL."""
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def trained_model(slow_setup: SlowSetup) -> Path:
    """The Rasa model for the current training data (trained once, shared with `make run` in var/models; the training
    started with the session, its log is var/logs/train.log)."""
    return slow_setup.model()


@dataclass
class Mailbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    port: int
    messages: list[EmailMessage]

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # aiosmtpd's handler hook
        self.messages.append(BytesParser(policy=default).parsebytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port(), messages=[])
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, trained_model: Path, mailbox: Mailbox, demo_vectors: Path) -> Iterator[Stack]:
    """The real Rasa server and api on free loopback ports, with a fresh database, content copy and index.

    The trained model is shared with `make run` (var/models), so it is trained once.
    """
    var = tmp_path_factory.mktemp("var")
    content = copy_demo_content(var / "knowledge")  # editors' tests write to it
    settings = Settings(
        var_dir=var,
        content_dir=content,
        api_port=free_port(),  # the api's host is left to its default: the suite checks it is loopback
        rasa_port=free_port(),
        models_dir=ROOT / "var" / "models",
        cache_dir=demo_vectors,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        agent_reconnect_grace_seconds=2,
        agent_session_check_seconds=1,  # an expired session is noticed within a second
        ws_auth_seconds=2,
        widget_origins=[SHOP_ORIGIN],
        # All the suite's traffic comes from 127.0.0.1: the limits themselves are tested on `limited_api`
        rate_limit_conversation_messages="1000/minute",
        rate_limit_ip_messages="10000/minute",
        rate_limit_ip_conversations="10000/minute",
        rate_limit_ip_logins="10000/minute",
    )
    (var / "logs").mkdir()
    # The index the api serves, built here first from the cached vectors; the api then finds it current and only loads it.
    knowledge_base(settings).ensure_built()
    with running_stack(settings, trained_model, api_log=var / "logs" / "api.log") as running:
        yield running


TIGHT_LIMITS = {"rate_limit_conversation_messages": "2/5second", "rate_limit_ip_messages": "6/minute",
                "rate_limit_ip_conversations": "3/minute", "rate_limit_ip_logins": "3/minute"}


@pytest.fixture(scope="session")
def limited_api(stack: Stack) -> Iterator[str]:
    """A second api process with tight rate limits beside the stack's: the same Rasa and index, its own database.

    Rasa calls the stack's api for actions, so use it for greetings and questions, not for handoffs or claims.
    """
    logs = stack.settings.var_dir / "logs"
    settings = stack.settings.model_copy(update={
        **TIGHT_LIMITS, "api_port": free_port(), "watch_content": False,
        "database_url": f"sqlite+aiosqlite:///{stack.settings.var_dir / 'limited.db'}"})
    process = start_api(settings, logs / "limited-api.log")
    try:
        url = f"http://127.0.0.1:{settings.api_port}"
        wait_until("the rate-limited api", f"{url}/api/health", process, timeout=180, log=logs / "limited-api.log")
        yield url
    finally:
        stop(process)


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, timeout=30.0) as http:
        yield http


@dataclass
class Person:
    email: str
    password: str
    name: str


def add_agent(settings: Settings, name: str, role: str = "agent") -> Person:
    """Create an account the way an operator does: the CLI, password from the environment."""
    person = Person(email=f"{name.lower()}@domovo.test", password=f"{name}-secret-password", name=name)
    env = {**os.environ, **explicit_settings_env(settings), "SHOPBOT_NEW_PASSWORD": person.password}
    result = subprocess.run([str(API_PYTHON), "-m", "api.cli", "create-agent", "--email", person.email, "--name", name, "--role", role],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return person


@pytest.fixture(scope="session")
def admin(stack: Stack) -> Person:
    return add_agent(stack.settings, "Alice", "admin")
