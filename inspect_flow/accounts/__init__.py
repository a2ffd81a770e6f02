"""Accounts, roles and per-object access rules (domain core: no Flask)."""
