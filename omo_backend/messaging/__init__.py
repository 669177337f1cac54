"""Outgoing messages: the outbox table, the dispatcher that drains it, SMS and e-mail providers."""
