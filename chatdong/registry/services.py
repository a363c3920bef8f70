"""Writes of the registry: importing resident-registration extracts.

An import is all-or-nothing: the whole file is read and checked inside ONE transaction; if any row is
invalid the transaction is rolled back and only the batch (FAILED) and its errors are saved. A re-import
is a diff against the registry, matched by the identity number's blind index: unchanged residents
(same `source_digest`) are not touched, changed ones are updated with a ResidentChange row, new ones are
created, and residents of the extract's district that the extract no longer lists are marked moved out.

Speed: rows are written in batches with plain INSERT/UPDATE (SQLite executemany, PostgreSQL COPY), with
ids reserved up front so that residents can point at households that are written at the end (foreign
keys are checked at commit). Memory: one entry per existing resident (blind index → id, digest, status,
동) and per household; the file itself is streamed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from sys import intern
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone

from chatdong.accounts.models import Ban, Dong, Tong, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied
from chatdong.core.time import today
from chatdong.registry import access
from chatdong.registry.importer import (
    FILE_COLUMN,
    IDENTITY_COLUMNS,
    VALUE_COLUMNS,
    Event,
    ExtractFileError,
    ExtractRow,
    RowError,
    checked_rows,
    checked_rows_in_child,
    progress_cache_key,
)
from chatdong.registry.models import Household, ImportBatch, ImportRowError, Resident, ResidentChange

Progress = Callable[[int, int], None]

_RESIDENT_CHUNK = 5000  # rows per INSERT batch
_UPDATE_CHUNK = 1000  # changed residents compared and updated per batch
_CHILD_MIN_BYTES = 2_000_000  # ~15,000 rows: below this a helper process is not worth starting
_PROGRESS_CACHE_SECONDS = 0.5  # …and refresh the shared cache at most this often
_PROGRESS_TTL = 24 * 3600

_ADDRESS_KEYS = frozenset(
    {
        "household_no",
        "dong_code",
        "tong",
        "ban",
        "road_name",
        "building_main",
        "building_sub",
        "address_detail",
    }
)
_CHANGE_COLUMNS = ("resident_id", "batch_id", "at", "kind", "fields")
# ImportBatch.summary: these counts, then "changes": {ResidentChange kind: count}.
_SUMMARY_KEYS = (
    "created",
    "updated",
    "unchanged",
    "absent_moved_out",
    "households_created",
    "households_moved",
    "tongs_created",
    "bans_created",
)
# Resident columns the import writes: its own, then ExtractRow.identity and ExtractRow.columns.
_RESIDENT_KEYS = ("household_id", "dong_id", "ban_id", "last_import_id")
_RESIDENT_INSERT = ("id", "created_at", "updated_at", *_RESIDENT_KEYS, *IDENTITY_COLUMNS, *VALUE_COLUMNS)
# A re-import never changes the identity number, birth date or sex: they are the match key.
_RESIDENT_UPDATE = (*VALUE_COLUMNS, *_RESIDENT_KEYS, "updated_at")
# Household columns the import sets from the extract; the insert adds its keys, the update its timestamp.
_HOUSEHOLD_VALUES = (
    "dong_id",
    "ban_id",
    "road_name",
    "building_main",
    "building_sub",
    "address_detail",
    "member_count",
)
_HOUSEHOLD_INSERT = ("id", "created_at", "updated_at", "household_no", *_HOUSEHOLD_VALUES)
_HOUSEHOLD_ADDRESS_UPDATE = (*_HOUSEHOLD_VALUES, "updated_at")


# ---------------------------------------------------------------------------------------------------
# Public services


def import_batch_create(*, actor: User | None, filename: str, stored_path: str) -> ImportBatch:
    """Record an extract waiting to be imported (the web page stores the upload, then queues the task).
    `actor` None is the system (command line run by an administrator on the server)."""
    if actor is not None and not access.can_import(actor):
        raise PermissionDenied("주민 자료를 등록할 권한이 없습니다.")
    return ImportBatch.objects.create(uploaded_by=actor, filename=filename[:255], stored_path=stored_path)


def import_batch_run(*, batch_id: int, progress: Progress | None = None) -> ImportBatch:
    """Import the batch's stored file, all-or-nothing. A batch runs once: when it is not queued any
    more (another worker took it, or it already finished) it is returned unchanged."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
        status=ImportBatch.Status.RUNNING
    )
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("주민 자료 등록 기록을 찾을 수 없습니다.")
    if not claimed:
        return batch
    run = _ImportRun(batch=batch, progress=progress)
    try:
        with transaction.atomic():
            run.execute()
            if run.errors:
                raise _Rollback
            _finish_succeeded(batch, run)
    except _Rollback:
        _finish_failed(batch, run)
    except Exception as exc:
        batch.status = ImportBatch.Status.FAILED
        batch.finished_at = timezone.now()
        batch.message = f"예기치 못한 오류로 반영하지 못했습니다(아무것도 반영되지 않음): {exc}"[:2000]
        batch.save(update_fields=["status", "finished_at", "message"])
        raise
    finally:
        cache.set(progress_cache_key(batch.pk), (run.done, max(run.done, run.total)), _PROGRESS_TTL)
        _discard_upload(batch)
    if batch.status == ImportBatch.Status.SUCCEEDED:
        _refresh_planner_statistics()
        from chatdong.outreach.services import targets_follow_registry  # outreach builds on the registry

        targets_follow_registry(batch=batch)
    return batch


def _discard_upload(batch: ImportBatch) -> None:
    """An uploaded extract holds identity numbers in clear: once imported (or refused, its errors are
    saved row by row) it is deleted. Files named on the command line are the operator's and stay."""
    uploads = (Path(settings.MEDIA_ROOT) / "imports").resolve()
    path = Path(batch.stored_path).resolve()
    if batch.stored_path and path.is_relative_to(uploads):
        path.unlink(missing_ok=True)


def _refresh_planner_statistics() -> None:
    """After a large import the query planner's statistics are stale; without them SQLite picks the
    (동, 상태) index over the phone or address index for a 동-scoped search (≈40 ms instead of ≈3 ms
    at 425k residents, bench/search_bench.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE registry_resident, registry_household")
        else:
            cursor.execute("ANALYZE")


def residents_import(*, path: Path, actor: User | None, progress: Progress | None = None) -> ImportBatch:
    """Create and run a batch for a file on this machine (command line, demo, benchmarks)."""
    path = Path(path)
    batch = import_batch_create(actor=actor, filename=path.name, stored_path=str(path.resolve()))
    return import_batch_run(batch_id=batch.pk, progress=progress)


# ---------------------------------------------------------------------------------------------------
# Finishing a batch


class _Rollback(Exception):
    """Raised inside the import transaction when any row was invalid: nothing may be written."""


def _finish_succeeded(batch: ImportBatch, run: _ImportRun) -> None:
    summary = run.summary
    batch.status = ImportBatch.Status.SUCCEEDED
    batch.finished_at = timezone.now()
    batch.total_rows = run.rows
    batch.error_count = 0
    batch.summary = summary
    batch.message = (
        f"{run.rows:,}행 반영: 새로 등록 {summary['created']:,}명, 변경 {summary['updated']:,}명, "
        f"변경 없음 {summary['unchanged']:,}명, 자료에 없어 전출 처리 {summary['absent_moved_out']:,}명"
    )
    batch.save(update_fields=["status", "finished_at", "total_rows", "error_count", "summary", "message"])
    _audit(batch)


def _finish_failed(batch: ImportBatch, run: _ImportRun) -> None:
    """After the rollback: the batch FAILED with every error saved, so the user can fix the file."""
    with transaction.atomic():
        ImportRowError.objects.bulk_create(
            (
                ImportRowError(
                    batch=batch,
                    row=error.row,
                    column=error.column[:40],
                    value=error.value[:200],
                    reason=error.reason[:300],
                )
                for error in run.errors
            ),
            batch_size=2000,
        )
        batch.status = ImportBatch.Status.FAILED
        batch.finished_at = timezone.now()
        batch.total_rows = run.rows
        batch.error_count = len(run.errors)
        batch.summary = {"rows": run.rows, "errors": len(run.errors)}
        batch.message = (
            f"오류 {len(run.errors):,}건이 있어 아무것도 반영하지 않았습니다. 파일을 고쳐 다시 올려 주세요."
        )
        batch.save(update_fields=["status", "finished_at", "total_rows", "error_count", "summary", "message"])
        _audit(batch)


def _audit(batch: ImportBatch) -> None:
    access_log_record(
        user=batch.uploaded_by,
        request=None,
        action=AccessLog.Action.IMPORT,
        object_type="import_batch",
        object_id=batch.pk,
        # A district is ~425,000 people: the batch id stands for them (Resident.last_import, changes).
        detail={"file": batch.filename, "status": batch.status, "errors": batch.error_count, **batch.summary},
    )


# ---------------------------------------------------------------------------------------------------
# One run: read, check, write


class _ImportRun:
    def __init__(self, *, batch: ImportBatch, progress: Progress | None) -> None:
        self.batch = batch
        self.progress = progress
        self.errors: list[RowError] = []
        self.rows = 0
        self.done = 0
        self.total = 0
        self.summary: dict[str, Any] = {}
        self._cache_at = 0.0

    def execute(self) -> None:
        try:
            self._execute()
        except ExtractFileError as exc:
            self.errors.append(exc.error)

    def _execute(self) -> None:
        day = today()
        path = Path(self.batch.stored_path)
        dongs = {
            code: (pk, district)
            for pk, code, district in Dong.objects.values_list("id", "code", "district_id")
        }
        # A large file is read and checked in a helper process while this one writes (two CPUs).
        in_child = path.is_file() and path.stat().st_size >= _CHILD_MIN_BYTES
        reader = checked_rows_in_child if in_child else checked_rows
        with contextlib.closing(reader(path, dong_codes=set(dongs), today=day)) as events:
            self._consume(events, _RegistryWriter(batch=self.batch, dongs=dongs, day=day))

    def _consume(self, events: Iterable[Event], writer: _RegistryWriter) -> None:
        errors = self.errors
        for event in events:
            if event[0] == "batch":
                _kind, rows, row_errors, self.done = event
                if row_errors:
                    errors.extend(row_errors)
                if not errors:  # after the first error nothing is written: only checked
                    add = writer.add
                    for row in rows:
                        add(row)
                self._report()
            elif event[0] == "start":
                self.total = event[1]
                self._report(force=True)
            else:  # "end"
                self.rows = event[1]
        if self.rows == 0 and not errors:
            errors.append(RowError(2, FILE_COLUMN, "", "자료 행이 없습니다(머리글만 있는 파일)."))
        if errors:
            return
        self.summary = writer.finish()
        self.summary["rows"] = self.rows
        self._report(force=True)

    def _report(self, *, force: bool = False) -> None:
        total = max(self.total, self.done)
        if self.progress is not None:
            self.progress(self.done, total)
        now = time.monotonic()
        if force or now - self._cache_at >= _PROGRESS_CACHE_SECONDS:
            # Other connections cannot see inside the import's transaction: progress goes via the cache.
            cache.set(progress_cache_key(self.batch.pk), (self.done, total), _PROGRESS_TTL)
            self._cache_at = now


@dataclass(slots=True)
class _Household:
    id: int
    address: tuple[Any, ...]  # (dong_id, ban_id, road_name, building_main, building_sub, address_detail)
    db_count: int  # member_count in the database (-1: not written yet)
    count: int = 0  # members with status "resident" in this extract
    seen: bool = False
    moved: bool = False  # an existing household whose address the extract changes


class _RegistryWriter:
    """Turns valid rows into inserts and updates. Knows the registry before the import (existing
    residents and households) and what the extract has said so far."""

    def __init__(self, *, batch: ImportBatch, dongs: dict[str, tuple[int, int]], day: dt.date) -> None:
        self.batch = batch
        self.day = day
        self.sql = _BulkSQL()
        self.now = self.sql.datetime(timezone.now())
        self.dongs = dongs
        self.dong_codes = {pk: code for code, (pk, _district) in dongs.items()}
        self.districts_seen: set[int] = set()
        self.counts: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()  # ResidentChange kinds written

        self.sql.lock(Resident, Household)
        # Registered residents: blind index → (id, digest, 동 id if living there else 0).
        self.existing: dict[str, tuple[int, str, int]] = {}
        dongs_before: set[int] = set()
        resident = Resident.Status.RESIDENT
        for index, pk, digest, status, dong_id in Resident.objects.values_list(
            "rrn_index", "id", "source_digest", "status", "dong_id"
        ).iterator(chunk_size=20_000):
            self.existing[index] = (pk, digest, dong_id if status == resident else 0)
            dongs_before.add(dong_id)
        self.first_import = not self.existing
        self.district_of = {pk: district for pk, district in dongs.values()}
        # A district's first extract is its registry's starting point: its new residents get no history.
        self.districts_before = {self.district_of[dong_id] for dong_id in dongs_before}
        previous = (
            ImportBatch.objects.filter(status=ImportBatch.Status.SUCCEEDED)
            .exclude(pk=batch.pk)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        # ISO text, like ExtractRow.birth_date: compares as dates do.
        self.born_after = timezone.localdate(previous).isoformat() if previous else None

        self.households: dict[str, _Household] = {}
        for pk, number, *address, member_count in Household.objects.values_list(
            "id", "household_no", *_HOUSEHOLD_VALUES
        ).iterator(chunk_size=20_000):
            self.households[number] = _Household(id=pk, address=tuple(address), db_count=member_count)

        self.tongs = {(d, n): pk for pk, d, n in Tong.objects.values_list("id", "dong_id", "number")}
        self.bans: dict[tuple[int, int, int], int] = {}
        self.ban_numbers: dict[int, tuple[int, int]] = {}
        for pk, dong_id, tong, ban_number in Ban.objects.values_list(
            "id", "tong__dong_id", "tong__number", "number"
        ):
            self.bans[(dong_id, tong, ban_number)] = pk
            self.ban_numbers[pk] = (tong, ban_number)

        # A first import fills empty tables: build their indexes once at the end instead of row by row
        # (the usual way to bulk-load; unique constraints stay). The transaction restores them on failure.
        self.deferred_indexes: list[str] = []
        if self.first_import:
            self.deferred_indexes += self.sql.drop_indexes(Resident)
            if not self.households:
                self.deferred_indexes += self.sql.drop_indexes(Household)

        self.new_tongs: list[tuple[int, int, int]] = []  # id, 동, number
        self.new_bans: list[tuple[int, int, int, None]] = []  # id, 통, number, zone
        self.new_households: list[tuple[str, _Household]] = []
        self.new_residents: list[tuple[ExtractRow, int, int, int]] = []  # row, household, 동, 반
        self.changed: list[tuple[int, ExtractRow, int, int, int]] = []  # resident id, row, household, 동, 반

    # -- during the pass

    def add(self, row: ExtractRow) -> None:
        dong_id, district_id = self.dongs[row.dong_code]
        self.districts_seen.add(district_id)
        ban_id = self._ban_id(dong_id, row.tong, row.ban)
        household = self.households.get(row.household_no)
        address = (dong_id, ban_id, *row.address)
        if household is None:
            # Interned: many households share a road and "101호"; the registry's memory stays small.
            road, main, sub, detail = row.address
            address = (dong_id, ban_id, intern(road), main, sub, intern(detail))
            household = _Household(id=self.sql.reserve_one(Household), address=address, db_count=-1)
            self.households[row.household_no] = household
            self.new_households.append((row.household_no, household))
        if not household.seen:
            household.seen = True
            if household.address != address:
                household.address = address
                household.moved = True
        if row.status == Resident.Status.RESIDENT:
            household.count += 1

        existing = self.existing.pop(row.rrn_index, None)
        if existing is None:
            self.new_residents.append((row, household.id, dong_id, ban_id))
            if len(self.new_residents) >= _RESIDENT_CHUNK:
                self._flush_new()
        elif existing[1] == row.digest:
            self.counts["unchanged"] += 1
        else:
            self.changed.append((existing[0], row, household.id, dong_id, ban_id))
            if len(self.changed) >= _UPDATE_CHUNK:
                self._flush_changed()

    def _ban_id(self, dong_id: int, tong: int, ban: int) -> int:
        key = (dong_id, tong, ban)
        ban_id = self.bans.get(key)
        if ban_id is None:
            # 통/반 of a known 동 are created as the extract names them (written with the next batch).
            tong_id = self.tongs.get((dong_id, tong))
            if tong_id is None:
                tong_id = self.tongs[(dong_id, tong)] = self.sql.reserve_one(Tong, block=50)
                self.new_tongs.append((tong_id, dong_id, tong))
            ban_id = self.bans[key] = self.sql.reserve_one(Ban, block=200)
            self.new_bans.append((ban_id, tong_id, ban, None))
            self.ban_numbers[ban_id] = (tong, ban)
        return ban_id

    def _flush_households(self) -> None:
        """Write the 통, 반 and households first seen since the last flush, before residents point at
        them (a household seen again later gets its final member count at the end)."""
        if self.new_bans:
            self.sql.insert(Tong, ("id", "dong_id", "number"), self.new_tongs)
            self.sql.insert(Ban, ("id", "tong_id", "number", "zone_id"), self.new_bans)
            self.counts["tongs_created"] += len(self.new_tongs)
            self.counts["bans_created"] += len(self.new_bans)
            self.new_tongs, self.new_bans = [], []
        households = self.new_households
        if not households:
            return
        self.new_households = []
        now = self.now
        self.sql.insert(
            Household,
            _HOUSEHOLD_INSERT,
            [(h.id, now, now, number, *h.address, h.count) for number, h in households],
        )
        for _number, h in households:
            h.db_count = h.count
        self.counts["households_created"] += len(households)

    def _flush_new(self) -> None:
        rows = self.new_residents
        if not rows:
            return
        self._flush_households()
        self.new_residents = []
        ids = self.sql.reserve(Resident, len(rows))
        now, batch_id = self.now, self.batch.pk
        self.sql.insert(
            Resident,
            _RESIDENT_INSERT,
            [
                (pk, now, now, household_id, dong_id, ban_id, batch_id, *r.identity, *r.columns)
                for pk, (r, household_id, dong_id, ban_id) in zip(ids, rows, strict=True)
            ],
        )
        self.counts["created"] += len(rows)
        if not self.districts_before:
            return
        changes = []
        for pk, (r, _household, dong_id, _ban) in zip(ids, rows, strict=True):
            if self.district_of[dong_id] in self.districts_before:
                kind = self._new_kind(r)
                self.kinds[kind] += 1
                changes.append((pk, batch_id, now, kind, "{}"))
        self.sql.insert(ResidentChange, _CHANGE_COLUMNS, changes)

    def _new_kind(self, row: ExtractRow) -> str:
        born = (self.born_after is not None and row.birth_date > self.born_after) or (
            row.moved_in_on == row.birth_date  # registered on the day of birth
        )
        return ResidentChange.Kind.BORN if born else ResidentChange.Kind.MOVED_IN

    def _flush_changed(self) -> None:
        rows = self.changed
        if not rows:
            return
        self._flush_households()
        self.changed = []
        before = {
            values[0]: values
            for values in Resident.objects.filter(id__in=[pk for pk, *_ in rows]).values_list(
                "id",
                "household__household_no",
                "relation",
                "name",
                "phone",
                "dong_id",
                "ban_id",
                "road_name",
                "building_main",
                "building_sub",
                "address_detail",
                "moved_in_on",
                "status",
                "status_changed_on",
                "livelihood_benefits",
                "near_poor",
                "disability",
                "single_elder",
                "single_parent",
            )
        }
        now, batch_id = self.now, self.batch.pk
        updates = []
        changes = []
        for pk, r, household_id, dong_id, ban_id in rows:
            new = r.values()
            diff = {
                key: [old, new[key]]
                for key, old in self._extract_values(before[pk]).items()
                if old != new[key]
            }
            updates.append((*r.columns, household_id, dong_id, ban_id, batch_id, now, pk))
            if diff:
                kind = _change_kind(diff)
                self.kinds[kind] += 1
                changes.append((pk, batch_id, now, kind, json.dumps(diff, ensure_ascii=False)))
        self.sql.update(Resident, _RESIDENT_UPDATE, updates)
        self.sql.insert(ResidentChange, _CHANGE_COLUMNS, changes)
        self.counts["updated"] += len(rows)

    def _extract_values(self, values: Sequence[Any]) -> dict[str, Any]:
        """A resident's current fields in the shape of ExtractRow.values()."""
        (
            _pk,
            household_no,
            relation,
            name,
            phone,
            dong_id,
            ban_id,
            road_name,
            building_main,
            building_sub,
            address_detail,
            moved_in_on,
            status,
            status_changed_on,
            benefits,
            near_poor,
            disability,
            single_elder,
            single_parent,
        ) = values
        tong, ban = self.ban_numbers.get(ban_id, (None, None))
        return {
            "household_no": household_no,
            "relation": relation,
            "name": name,
            "phone": phone,
            "dong_code": self.dong_codes.get(dong_id),
            "tong": tong,
            "ban": ban,
            "road_name": road_name,
            "building_main": building_main,
            "building_sub": building_sub,
            "address_detail": address_detail,
            "moved_in_on": moved_in_on.isoformat() if moved_in_on else None,
            "status": status,
            "status_changed_on": status_changed_on.isoformat() if status_changed_on else None,
            "livelihood_benefits": benefits,
            "near_poor": near_poor,
            "disability": disability,
            "single_elder": single_elder,
            "single_parent": single_parent,
        }

    # -- after the pass

    def finish(self) -> dict[str, Any]:
        self._flush_new()
        self._flush_changed()
        self._write_households()
        self._mark_absent()
        self.sql.create_indexes(self.deferred_indexes)
        summary: dict[str, Any] = {key: self.counts[key] for key in _SUMMARY_KEYS}
        summary["changes"] = {str(kind): count for kind, count in sorted(self.kinds.items())}
        return summary

    def _write_households(self) -> None:
        """New households are written; existing ones the extract moved get their new address, and every
        household's member count becomes the number of its residents the extract lists."""
        self._flush_households()
        now = self.now
        moved_rows = []
        count_rows = []
        for h in self.households.values():
            if h.moved:
                moved_rows.append((*h.address, h.count, now, h.id))
            elif h.count != h.db_count:
                count_rows.append((h.count, now, h.id))
        self.sql.update(Household, _HOUSEHOLD_ADDRESS_UPDATE, moved_rows)
        self.sql.update(Household, ("member_count", "updated_at"), count_rows)
        self.counts["households_moved"] = len(moved_rows)

    def _mark_absent(self) -> None:
        """A full extract lists everyone living in its district: a resident of that district it no
        longer lists has moved out (kept, with the change recorded)."""
        district_of = self.district_of
        absent = [
            pk
            for pk, _digest, living_in in self.existing.values()
            if living_in and district_of.get(living_in) in self.districts_seen
        ]
        self.existing.clear()
        fields = json.dumps(
            {"status": [Resident.Status.RESIDENT, Resident.Status.MOVED_OUT]}, ensure_ascii=False
        )
        day = self.day
        for start in range(0, len(absent), _UPDATE_CHUNK):
            chunk = absent[start : start + _UPDATE_CHUNK]
            Resident.objects.filter(id__in=chunk).update(
                status=Resident.Status.MOVED_OUT,
                status_changed_on=day,
                source_digest="",  # so that a later extract listing the person again updates the row
                last_import=self.batch,
                updated_at=timezone.now(),
            )
            self.sql.insert(
                ResidentChange,
                _CHANGE_COLUMNS,
                [(pk, self.batch.pk, self.now, ResidentChange.Kind.MOVED_OUT, fields) for pk in chunk],
            )
        self.counts["absent_moved_out"] = len(absent)
        if absent:
            self.kinds[ResidentChange.Kind.MOVED_OUT] += len(absent)


def _change_kind(diff: dict[str, list[Any]]) -> str:
    """The one word for a change in a resident's history; the fields say the rest."""
    status = diff.get("status")
    if status is not None:
        old, new = status
        if new == Resident.Status.DECEASED:
            return ResidentChange.Kind.DECEASED
        if new == Resident.Status.MOVED_OUT:
            return ResidentChange.Kind.MOVED_OUT
        if old != Resident.Status.RESIDENT:
            return ResidentChange.Kind.RETURNED
    if _ADDRESS_KEYS.intersection(diff):
        return ResidentChange.Kind.MOVED
    if "name" in diff:
        return ResidentChange.Kind.RENAMED
    return ResidentChange.Kind.UPDATED


# ---------------------------------------------------------------------------------------------------
# Bulk SQL for the two supported databases


class _BulkSQL:
    """Plain INSERT/UPDATE in bulk, much faster than model instances for hundreds of thousands of rows.
    Columns not named get the field's default (so a new field with a default needs no change here)."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"주민 자료 등록은 {self.vendor} 데이터베이스를 지원하지 않습니다.")
        self._next_id: dict[str, int] = {}
        self._pool: dict[str, list[int]] = {}
        self._locked: set[str] = set()

    def lock(self, *tables: type[models.Model]) -> None:
        """Keep other writers out of these tables until the import commits (readers are not held up).
        One import at a time, and no edit lost under it. SQLite: the import's BEGIN IMMEDIATE does it."""
        if self.vendor != "postgresql":
            return
        names = [model._meta.db_table for model in tables]
        with connection.cursor() as cursor:
            quoted = ", ".join(connection.ops.quote_name(n) for n in names)
            cursor.execute(f"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE")
        self._locked.update(names)

    @staticmethod
    def datetime(value: dt.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    def reserve(self, model: type[models.Model], count: int) -> list[int]:
        """`count` fresh primary keys. SQLite: the import holds the write lock (BEGIN IMMEDIATE), so
        counting up from the table's high-water mark is safe. PostgreSQL: taken from the sequence."""
        table = model._meta.db_table
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                if table in self._locked:
                    # Nobody else can insert into a locked table: take a block in two statements.
                    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
                    first = cursor.fetchone()[0]
                    if count > 1:
                        cursor.execute(
                            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
                        )
                    return list(range(first, first + count))
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [pk for (pk,) in cursor.fetchall()]
        start = self._next_id.get(table)
        if start is None:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
                high = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                seq = cursor.fetchone()
                start = max(high, seq[0] if seq else 0) + 1
        self._next_id[table] = start + count
        return list(range(start, start + count))

    def reserve_one(self, model: type[models.Model], *, block: int = 5000) -> int:
        """One fresh primary key, from a block reserved ahead (unused ones are left as gaps)."""
        pool = self._pool.setdefault(model._meta.db_table, [])
        if not pool:
            pool.extend(reversed(self.reserve(model, block)))
        return pool.pop()

    def _columns(self, model: type[models.Model], names: Sequence[str]) -> tuple[list[str], tuple[Any, ...]]:
        """Column names for `names` (attnames) plus every other concrete column, and those columns'
        default values ready for the database."""
        opts = model._meta
        by_attname = {f.attname: f for f in opts.concrete_fields}
        columns = [by_attname[n].column for n in names]
        defaults = []
        for field in opts.concrete_fields:
            if field.attname in names or field.primary_key:
                continue
            if not field.has_default() and not field.null:
                raise ValueError(f"{opts.label}.{field.name} needs a value in the import's bulk insert")
            columns.append(field.column)
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
        return columns, tuple(defaults)

    def insert(
        self, model: type[models.Model], names: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        columns, defaults = self._columns(model, names)
        table = model._meta.db_table
        if defaults:
            rows = [row + defaults for row in rows]
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                from psycopg import sql

                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
                )
                with cursor.cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                quoted = ", ".join(f'"{c}"' for c in columns)
                cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)

    def update(
        self, model: type[models.Model], names: Iterable[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """rows: (*values in `names` order, id)."""
        if not rows:
            return
        opts = model._meta
        by_attname = {f.attname: f for f in opts.concrete_fields}
        assignments = ", ".join(f'"{by_attname[n].column}" = %s' for n in names)
        with connection.cursor() as cursor:
            cursor.executemany(f'UPDATE "{opts.db_table}" SET {assignments} WHERE "id" = %s', rows)

    def drop_indexes(self, model: type[models.Model]) -> list[str]:
        """Drop the table's plain indexes (not the primary key or unique constraints) and, on
        PostgreSQL, its foreign keys (else every row queues a check for commit time); return the
        statements that recreate them exactly, to run once the table is filled."""
        table = model._meta.db_table
        quote = connection.ops.quote_name
        recreate: list[str] = []
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    """
                    SELECT i.indexname, i.indexdef FROM pg_indexes i
                    WHERE i.schemaname = current_schema() AND i.tablename = %s
                      AND NOT EXISTS (
                        SELECT 1 FROM pg_constraint c
                        WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
                      )
                    """,
                    [table],
                )
                indexes = cursor.fetchall()
                # Dropping a foreign key alters the referenced table too, which PostgreSQL refuses
                # while checks on it are queued in this transaction: run them first.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'f'",
                    [quote(table)],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                    recreate.append(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                indexes = cursor.fetchall()
            for name, _statement in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        return [statement for _name, statement in indexes] + recreate

    def create_indexes(self, statements: Sequence[str]) -> None:
        if not statements:
            return
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # PostgreSQL will not index a table with foreign-key checks still queued: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in statements:
                cursor.execute(statement)
            if self.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
