"""Outgoing messages: the outbox table, the dispatcher that drains it, and the SMS providers."""
