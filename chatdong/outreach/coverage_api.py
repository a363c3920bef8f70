"""API under /api/v1/ for outreach coverage figures."""

from __future__ import annotations

from ninja import Router

router = Router()
