"""The shop as the widget and the console show it before any conversation exists: public, no token."""
from __future__ import annotations

from fastapi import APIRouter

from api.web.deps import ServicesDep
from api.web.schemas import ShopOut

router = APIRouter(prefix="/api/shop", tags=["conversations"])


@router.get("")
async def shop(services: ServicesDep) -> ShopOut:
    """The shop as its file says now: the widget's header and privacy link, the languages its picker offers (the shop's,
    not every language the bot knows) and the one it starts in."""
    return ShopOut.model_validate(services.shop.current.model_dump())
