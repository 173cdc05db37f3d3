"""The shop as the widget and the console show it before any conversation exists: public, no token."""
from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.schemas import ShopOut

router = APIRouter(prefix="/api/shop", tags=["conversations"])


@router.get("")
async def shop(services: ServicesDep) -> ShopOut:
    """The languages the widget's picker offers (the shop's, not every language the bot knows), and the one it starts in."""
    settings = services.settings
    return ShopOut(languages=settings.languages, default_language=settings.default_language)
