"""OMO Counter backend: members, invitations, bindings, the outbox and the customers' pages."""

__version__ = "0.1.0"
