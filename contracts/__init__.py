"""What crosses the round trip between the api, Rasa and the custom actions, typed once and shared by all three.

The languages (`languages`), the metadata the api sends with each customer message (`metadata`), the search decision and
the cited source that ride in a bot message's `custom` JSON (`decisions`), and the views of a stored message's `payload`
(`payloads`). Standard library only, for Python 3.10 as well: bot/ imports it inside Rasa's environment (.venv-rasa, with
pydantic 1), the actions and the api in theirs.
"""
