"""The back office's figures for editors and admins: analytics, and the questions the bot did not answer well."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from api.office.insights import Grouped, Period, analytics, data_version, missing_topics, unanswered, with_suggestions
from api.web.deps import CurrentEditor, Services, ServicesDep, SessionDep
from api.web.schemas import Analytics, Language, UnansweredPage

router = APIRouter(prefix="/api/back-office", tags=["back office"])

DaysQuery = Annotated[int, Query(ge=1, le=366, description="The conversations started in this many last days.")]


def period_of(days: int, language: Language | None) -> Period:
    until = datetime.now(UTC)
    return Period(since=until - timedelta(days=days), until=until + timedelta(seconds=1), language=language)


async def grouped_unanswered(session: AsyncSession, services: Services, days: int, language: Language | None) -> Grouped:
    """The groups for the period, from the cache while no message, rating or handoff was added since."""
    settings = services.settings
    key = (days, language, settings.unanswered_group_cap, await data_version(session))
    found = services.reports.get(key)
    if isinstance(found, Grouped):
        return found
    knowledge = services.knowledge
    grouped = await unanswered(session, period_of(days, language), knowledge.embed_queries, low_margin=settings.low_confidence_margin,
                               distance=settings.unanswered_group_distance, cap=settings.unanswered_group_cap)
    files = {entry.id: entry.file for entry in await asyncio.to_thread(services.faq_editor.entries)}
    grouped = replace(grouped, groups=with_suggestions(grouped.groups, files))
    services.reports.put(key, grouped)
    return grouped


@router.get("/unanswered")
async def list_unanswered(editor: CurrentEditor, session: SessionDep, services: ServicesDep, days: DaysQuery = 30,
                          language: Language | None = None, offset: Annotated[int, Query(ge=0)] = 0,
                          limit: Annotated[int, Query(ge=1, le=200)] = 50) -> UnansweredPage:
    """Grouped by meaning, the largest group first: each group is a candidate for a new FAQ entry."""
    grouped = await grouped_unanswered(session, services, days, language)
    return UnansweredPage(data=grouped.groups[offset:offset + limit], count=len(grouped.groups), questions=grouped.listed, grouped=grouped.grouped)


@router.get("/analytics")
async def get_analytics(editor: CurrentEditor, session: SessionDep, services: ServicesDep, days: DaysQuery = 30,
                        language: Language | None = None) -> Analytics:
    """Conversations per day, resolved by the bot, handoffs and waiting, ratings, top and missing questions, per language."""
    figures = await analytics(session, period_of(days, language))
    grouped = await grouped_unanswered(session, services, days, language)
    knowledge = services.knowledge
    missing = await asyncio.to_thread(missing_topics, grouped.groups, lambda text, lang: knowledge.decide(text, lang=lang).action)
    return figures.model_copy(update={"missing_topics": missing})
