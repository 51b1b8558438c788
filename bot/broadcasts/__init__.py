"""Subscriptions, the outbox and the delivery engine."""
