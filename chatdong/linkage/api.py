"""API under /api/v1/ for the linkage app."""

from __future__ import annotations

from ninja import Router

router = Router()
