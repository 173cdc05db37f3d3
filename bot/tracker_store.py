"""Rasa's SQL tracker store, made to honour a replaced conversation (the scale-out profile's tracker store).

Rasa's own `SQLTrackerStore.save` only appends the events it has not stored yet, so replacing a conversation's
events through `PUT /conversations/<id>/tracker/events` (which the api does when a customer asks to be erased)
would leave every message in the database. Here a tracker shorter than what is stored replaces it.
"""
from __future__ import annotations

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


class ErasableSQLTrackerStore(SQLTrackerStore):
    """Use in endpoints.yml as `type: bot.tracker_store.ErasableSQLTrackerStore` with the options of `type: SQL`."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self._is_replacement(tracker):
            self._delete(tracker.sender_id)
        await super().save(tracker)

    def _is_replacement(self, tracker: DialogueStateTracker) -> bool:
        """Rasa only ever saves a tracker that holds at least what it retrieved, unless the events were replaced."""
        with self.session_scope() as session:
            stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        return len(tracker.events) < stored

    def _delete(self, sender_id: str) -> None:
        """Every session of the conversation goes: the customer asked for all of it to be forgotten."""
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
