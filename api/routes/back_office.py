"""The back office's figures for editors and admins: analytics, and the questions the bot did not answer well."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentEditor, ServicesDep, SessionDep
from api.insights import Period, analytics, unanswered
from api.schemas import Analytics, Language, UnansweredGroup

router = APIRouter(prefix="/api/back-office", tags=["back office"])

DaysQuery = Annotated[int, Query(ge=1, le=366, description="The conversations started in this many last days.")]


def period_of(days: int, language: Language | None) -> Period:
    until = datetime.now(UTC)
    return Period(since=until - timedelta(days=days), until=until + timedelta(seconds=1), language=language)


@router.get("/unanswered")
async def list_unanswered(editor: CurrentEditor, session: SessionDep, services: ServicesDep, days: DaysQuery = 30,
                          language: Language | None = None) -> list[UnansweredGroup]:
    """Grouped by meaning, the largest group first: each group is a candidate for a new FAQ entry."""
    settings = services.settings
    return await unanswered(session, period_of(days, language), services.knowledge.embedder,
                            low_margin=settings.low_confidence_margin, distance=settings.unanswered_group_distance)


@router.get("/analytics")
async def get_analytics(editor: CurrentEditor, session: SessionDep, services: ServicesDep, days: DaysQuery = 30,
                        language: Language | None = None) -> Analytics:
    """Conversations per day, resolved by the bot, handoffs and waiting, ratings, top and missing questions, per language."""
    period = period_of(days, language)
    figures = await analytics(session, period)
    groups = await unanswered(session, period, services.knowledge.embedder, low_margin=services.settings.low_confidence_margin,
                              distance=services.settings.unanswered_group_distance)
    return figures.model_copy(update={"missing_topics": groups[:10]})
