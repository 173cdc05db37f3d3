"""The shop in one file editors keep (`knowledge/shop.yml`): its name, how to reach it, its links, the languages it
serves. The bot's texts, the widget and the e-mails take them from here at run time, so a change needs no retraining;
the environment (SHOPBOT_SHOP_NAME, SHOPBOT_LANGUAGES, SHOPBOT_DEFAULT_LANGUAGE) overrides the file.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contracts.languages import LANGUAGES
from knowledge.entries import is_language_code
from knowledge.errors import ContentError, ContentProblem
from knowledge.links import link_problem
from knowledge.settings import KnowledgeSettings

log = logging.getLogger(__name__)
SHOP_FILE = "shop.yml"


class Contact(BaseModel):
    """How customers reach a person besides the chat."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    phone: str | None = Field(None, min_length=3, max_length=40)
    chat_hours: str | None = Field(None, max_length=200, description="When colleagues answer in the chat, as customers read it.")


class Shop(BaseModel):
    """What `shop.yml` holds; every field but the name has a default, so a new shop starts with one line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    contact: Contact = Contact()
    opening_hours: str | None = Field(None, max_length=300)
    privacy_url: str | None = None
    terms_url: str | None = None
    languages: tuple[str, ...] = Field(LANGUAGES, min_length=1, description="The languages the shop serves, in the order the widget offers them.")
    default_language: str = Field("", description="Where nothing else tells; default: en if served, else the first.")

    @field_validator("privacy_url", "terms_url")
    @classmethod
    def _showable_link(cls, link: str | None) -> str | None:
        if link is not None and (problem := link_problem(link)):
            raise ValueError(problem)
        return link

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, languages: tuple[str, ...]) -> tuple[str, ...]:
        if unknown := [lang for lang in languages if not is_language_code(lang)]:
            raise ValueError(f"{', '.join(map(repr, unknown))}: give languages as lowercase ISO 639-1 codes such as cs, en, sk")
        return tuple(dict.fromkeys(languages))

    @model_validator(mode="after")
    def _default_is_served(self) -> Shop:
        if not self.default_language:
            object.__setattr__(self, "default_language", "en" if "en" in self.languages else self.languages[0])
        if self.default_language not in self.languages:
            raise ValueError(f"the default language {self.default_language!r} is not among the languages served ({', '.join(self.languages)})")
        return self

    @property
    def answerable_languages(self) -> tuple[str, ...]:
        """Languages a customer is answered in: those served, and those the bot has texts for (a Polish question on a
        Czech and English shop is answered from the Czech entry, with a note in Polish)."""
        return tuple(dict.fromkeys([*self.languages, *LANGUAGES]))


def _key_lines(path: Path, text: str) -> dict[tuple[str, ...], int]:
    """The line of every mapping key (`("contact", "email")` → 4), so a problem points at the line to fix."""
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, where: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*where, str(key.value))] = key.start_mark.line + 1
                walk(value, (*where, str(key.value)))

    if (root := yaml.compose(text, Loader=yaml.SafeLoader)) is not None:
        walk(root, ())
    return lines


def read_shop_file(path: Path, overrides: dict[str, Any]) -> Shop:
    """The file as a `Shop`, `overrides` (the environment's) winning; ContentError with file:line for what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ContentError([ContentProblem(path, mark.line + 1 if mark else 1, f"invalid YAML: {exc.problem or exc.context}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([ContentProblem(path, 1, f"cannot read the shop file: {exc}")]) from None
    if not isinstance(data, dict):
        raise ContentError([ContentProblem(path, 1, "the shop file is a mapping: start with `name: <the shop's name>`")])
    try:
        return Shop.model_validate({**data, **overrides})
    except ValidationError as exc:
        lines = _key_lines(path, text)
        problems = []
        for error in exc.errors():
            where = tuple(str(part) for part in error["loc"])
            line = next((lines[where[:n]] for n in range(len(where), 0, -1) if where[:n] in lines), 1)
            field = ".".join(where) or "the file"
            problems.append(ContentProblem(path, line, f"`{field}`: {error['msg'].removeprefix('Value error, ')}"))
        raise ContentError(problems) from None


def load_shop(settings: KnowledgeSettings) -> Shop:
    """The shop this process serves: `shop.yml` in the content folder, with the environment's overrides."""
    overrides: dict[str, Any] = {key: value for key, value in (("name", settings.shop_name), ("languages", settings.languages),
                                                                ("default_language", settings.default_language)) if value is not None}
    path = settings.content_dir / SHOP_FILE
    if not path.exists():
        if "name" not in overrides:
            raise ContentError([ContentProblem(path, 0, "no shop file: write `name: <the shop's name>` in it (knowledge/README.md, \"The shop\")")])
        return Shop.model_validate(overrides)
    return read_shop_file(path, overrides)


class ShopConfig:
    """The shop as its file says now, for a process that runs for long: reloaded when editors save the file, the last
    good version kept (and the problem logged) when the new one is broken, as the index keeps the last good content."""

    def __init__(self, settings: KnowledgeSettings) -> None:
        self.settings = settings
        self.current = load_shop(settings)

    def reload(self) -> None:
        try:
            self.current = load_shop(self.settings)
        except ContentError as exc:
            log.error("the shop file has problems, keeping the last good one:\n%s", exc)
