"""Typed HTTP client for the OMO backend, and the wire schemas both sides share (no Qt)."""
