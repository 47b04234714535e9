"""Blueprints: thin views that parse input, call a service, commit and redirect."""
