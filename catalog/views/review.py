"""Placeholder blueprint; its pages arrive with their issue."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__)
