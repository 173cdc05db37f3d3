"""Plumbing the rest uses: live publish/subscribe, e-mail, tokens, and the watch over the knowledge files."""
