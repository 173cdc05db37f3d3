"""Rasa's SQL tracker store, made to honour a replaced conversation, and cheaper per message on SQLite.

Rasa's own `SQLTrackerStore.save` only appends the events it has not stored yet, so replacing a conversation's
events through `PUT /conversations/<id>/tracker/events` (which the api does when a customer asks to be erased)
would leave every message in the database. Here a tracker shorter than what is stored replaces it, in the same
transaction that stores it.

Rasa saves the tracker twice per customer message. On SQLite (the default profile's `var/rasa.db`) each commit
waited for the disk twice over (rollback journal, `synchronous=FULL`): about a tenth of Rasa's CPU under load
(docs/benchmarks.md, "Profile"). The store now writes ahead (WAL) with `synchronous=NORMAL`, which survives a
crash of Rasa or of the api; only a power cut can lose the last commits of a conversation that the api has
stored anyway (the customer's messages are stored by the api before Rasa is asked).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event  # type: ignore[import-untyped]  # SQLAlchemy 1.4 in Rasa's environment has no types


def _write_ahead(dbapi_connection: Any, _record: Any) -> None:
    """Every SQLite connection of the store: WAL, and commits that do not wait for the disk."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ErasableSQLTrackerStore(SQLTrackerStore):
    """Use in endpoints.yml as `type: bot.tracker_store.ErasableSQLTrackerStore` with the options of `type: SQL`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _write_ahead)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events to store: those after what is stored, or all of them when the events were replaced.

        Rasa only ever saves a tracker that holds at least what it retrieved, unless the events were replaced; then
        every session of the conversation goes, since the customer asked for all of it to be forgotten.
        """
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        if len(tracker.events) >= stored:
            return itertools.islice(tracker.events, stored, len(tracker.events))
        session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
        return iter(tracker.events)
