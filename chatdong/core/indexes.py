"""Index types Django does not have as such."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models


class CoveringIndex(models.Index):
    """A B-tree index on `fields` that also carries the `covering` columns, so that a query reading only
    those columns is answered from the index (an index-only scan).

    PostgreSQL stores the covering columns as `INCLUDE (…)`: in the leaf pages only, outside the key, so
    an insert compares and orders by the key alone (a district's target list is tens of thousands of
    inserts: bench/target_bench.py). SQLite has no INCLUDE; there the covering columns become trailing
    key columns, which covers the same queries. Unlike `Index(include=…)`, which SQLite silently drops
    (and the system check warns of), the index covers on both databases.

    No model uses it any more (outreach migration 0011 dropped the targets' covering index: it cost a
    quarter of inserting a list, and the coverage dashboard measured the same without it); outreach
    migrations 0007 and 0008 create it, so it stays importable."""

    def __init__(self, *, covering: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.covering = tuple(covering)

    def deconstruct(self) -> Any:
        path, args, kwargs = super().deconstruct()
        kwargs["covering"] = self.covering
        return path, args, kwargs

    def _plain(self, schema_editor: Any) -> models.Index:
        if schema_editor.connection.features.supports_covering_indexes:
            return models.Index(
                fields=list(self.fields), name=self.name, condition=self.condition, include=self.covering
            )
        return models.Index(fields=[*self.fields, *self.covering], name=self.name, condition=self.condition)

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        return self._plain(schema_editor).create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model: Any, schema_editor: Any, **kwargs: Any) -> Any:
        return self._plain(schema_editor).remove_sql(model, schema_editor, **kwargs)
