"""Rasa training data (bot/data) and our custom Rasa components (bot/components)."""
