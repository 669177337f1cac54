"""Demo mode: the backend embedded in the app, and a "demo phone" window for its SMS.

Kept empty on purpose: importing ``omo_desktop.demo.phone`` must not pull in the backend;
only ``omo_desktop.demo.embedded`` imports ``omo_backend``.
"""
