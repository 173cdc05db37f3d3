"""A customer's conversation: the bot's side of it, its lifecycle, what waits, what is read back and mailed."""
