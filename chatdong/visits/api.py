"""API under /api/v1/ for the visits app."""

from __future__ import annotations

from ninja import Router

router = Router()
