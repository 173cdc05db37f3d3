"""Who answers a customer's message, and what they need to: the narrow part of the process's `Services` that the
message path (`api.chat.conversations`, `api.chat.waiting`, `api.chat.pending`) uses, so it names its collaborators."""
from __future__ import annotations

from dataclasses import dataclass

from api.chat.rasa_client import RasaClient
from api.infra.realtime import Hub
from knowledge import KnowledgeBase
from knowledge.language import LanguageGuesser, language_guesser
from knowledge.shop import ShopConfig


@dataclass(frozen=True)
class Responders:
    """The bot (Rasa), the knowledge base the api answers from itself, the live hub that tells consoles and widgets, and
    the shop's file as it is now (its languages and name may change while the process runs)."""

    rasa: RasaClient
    knowledge: KnowledgeBase
    hub: Hub
    shop: ShopConfig
    instance: str  # this process, as the one asking the bot about a message (`Message.handler`)
    reply_hours: int  # promised for an e-mail answer when nobody is online
    contact_number_prefix: str  # of an e-mail ticket's number
    online_check_seconds: float  # how often a console confirms it is open: who counts as online

    @property
    def languages(self) -> LanguageGuesser:
        """The guess among the languages the shop's file names now, falling back to its default."""
        shop = self.shop.current
        return language_guesser(shop.answerable_languages, shop.default_language)
