"""The back office: what the conversations teach, exports, and erasure on request."""
