"""The FastAPI service: owns conversations, talks to Rasa, serves the action webhook and the knowledge base."""
