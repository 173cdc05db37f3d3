"""Runs the whole product: set-up checks, model training, index build, and the two server processes."""
