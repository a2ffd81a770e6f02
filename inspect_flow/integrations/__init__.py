"""Integrations without Flask: API tokens, idempotent requests and webhooks (subscriptions, outbox, delivery).

The JSON API (:mod:`inspect_flow.api`) and the CLI are thin front ends over these modules.
"""
