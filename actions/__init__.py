"""Rasa SDK custom actions. They run inside the api process (see `actions.registry.build_executor`)."""
