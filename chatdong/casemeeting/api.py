"""API under /api/v1/ for the casemeeting app."""

from __future__ import annotations

from ninja import Router

router = Router()
