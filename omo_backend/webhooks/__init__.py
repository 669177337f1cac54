"""Webhooks: endpoints an admin registers, events written with the change, signed deliveries."""
