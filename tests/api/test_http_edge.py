"""HTTP stays at the edge: the api's domain modules import neither FastAPI/Starlette nor the response schemas, their
errors carry no status, and the edge's one table gives every kind of error its status."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import api
from api.domain_errors import DomainError
from api.web.errors import HTTP, http_of
from tests.imports import imported_names

API = Path(api.__file__).parent
# What speaks HTTP or WebSocket itself: `api/web/` (the routers, FastAPI's dependencies, the error table, the request
# and response schemas, the body limit, the headers, the socket layer) and the app factory that assembles it.
EDGE = ("web/", "main.py")
# Domain modules that still build response schemas, each for a reason outside this change (#24 item 7, left so):
STILL_BUILDS_SCHEMAS = {
    "chat/transcripts.py",  # reads conversations back as the schemas the routes and the live events share
    "office/insights.py",  # the back office's figures, read by its route as they are
}
HTTP_MODULES = ("fastapi", "starlette")


def _domain_modules() -> list[Path]:
    return sorted(p for p in API.rglob("*.py") if not _name(p).startswith(EDGE) and "migrations" not in p.parts)


def _name(path: Path) -> str:
    """A module's path inside api/, as the lists above name it."""
    return path.relative_to(API).as_posix()


@pytest.mark.parametrize("path", _domain_modules(), ids=_name)
def test_a_domain_module_does_not_import_the_web_framework(path: Path) -> None:
    web = {name for name in imported_names(path) if name.split(".")[0] in HTTP_MODULES}
    assert not web, f"api/{_name(path)} imports {sorted(web)}: take what it needs as plain values, and keep HTTP in api/web/routes or the edge"


@pytest.mark.parametrize("path", [p for p in _domain_modules() if _name(p) not in STILL_BUILDS_SCHEMAS], ids=_name)
def test_a_domain_module_returns_domain_objects_not_response_schemas(path: Path) -> None:
    schemas = {name for name in imported_names(path) if name == "api.web.schemas" or name.startswith("api.web.schemas.")}
    assert not schemas, f"api/{_name(path)} imports {sorted(schemas)}: return models or dataclasses, and let the route build the schema"


@pytest.mark.parametrize("path", [p for p in _domain_modules() if _name(p) != "services.py"], ids=_name)
def test_a_domain_module_names_its_collaborators_not_the_whole_bag(path: Path) -> None:
    """`Services` (everything the process built) is unpacked by the routes and the lifespan's wiring, not passed down."""
    bag = {name for name in imported_names(path) if name == "api.services" or name.startswith(("api.web.deps", "api.web.routes"))}
    assert not bag, f"api/{_name(path)} imports {sorted(bag)}: take the collaborators it uses (e.g. `api.chat.responders.Responders`) as parameters"


def test_the_list_of_modules_still_building_schemas_only_shrinks() -> None:
    """A module fixed later must leave the list, or it could start building schemas again unnoticed."""
    still = {name for name in STILL_BUILDS_SCHEMAS if "api.web.schemas" in imported_names(API / name)}
    assert still == STILL_BUILDS_SCHEMAS


def _every_kind() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(api.__path__, "api."):  # errors defined anywhere in the api are found
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    todo: list[type[DomainError]] = [DomainError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def test_every_kind_of_domain_error_has_its_status_in_the_edges_table() -> None:
    kinds = _every_kind()
    assert len(kinds) >= 10
    unmapped = []
    for kind in kinds:
        try:
            http_of(kind)
        except KeyError:
            unmapped.append(kind.__name__)
    assert not unmapped, f"add these to api.web.errors.HTTP: {unmapped}"
    assert all(400 <= status < 600 for status, _ in HTTP.values())


def test_domain_errors_carry_no_http_status() -> None:
    kinds: list[type[DomainError]] = [DomainError, *_every_kind()]
    assert [kind.__name__ for kind in kinds if hasattr(kind, "status_code") or hasattr(kind, "headers")] == []
