"""API under /api/v1/ for the outreach app."""

from __future__ import annotations

from ninja import Router

router = Router()
