"""Every write of the linkage app: uploading and running a client list, and the reviewers' decisions.
Permission, validation, the write and the access log happen in one transaction."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from chatdong.accounts.access import user_district_id
from chatdong.accounts.models import Scope, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.time import today
from chatdong.linkage import access, clients, matching, selectors
from chatdong.linkage.models import CandidatePair, ClientList, ClientListError, ClientRecord, PairDecision
from chatdong.registry.access import residents_visible_to
from chatdong.registry.models import Resident

Decision = Literal["merge", "not_same", "unsure"]
_STATUS_OF: dict[str, str] = {
    "merge": CandidatePair.Status.MERGED,
    "not_same": CandidatePair.Status.NOT_SAME,
    "unsure": CandidatePair.Status.UNSURE,
}


def _thresholds(model: matching.Model) -> matching.Model:
    """The district's thresholds (settings.CHATDONG_LINKAGE_THRESHOLDS) on a batch model."""
    thresholds = settings.CHATDONG_LINKAGE_THRESHOLDS
    model.match_threshold = float(thresholds.get("match", model.match_threshold))
    model.review_threshold = float(thresholds.get("review", model.review_threshold))
    return model


def client_list_create(*, actor: User, filename: str, stored_path: str) -> ClientList:
    """Record an uploaded list waiting to be linked (the page or API stores the file, then queues the
    task). The owner is the uploader's agency, or for staff their 동 (or the district)."""
    if not access.can_upload(actor):
        raise PermissionDenied("기관 대상자 명단을 올릴 권한이 없습니다.")
    district_id = user_district_id(actor)
    if district_id is None:
        raise PermissionDenied("소속 구가 없는 계정은 명단을 올릴 수 없습니다.")
    if not filename.lower().endswith((".csv", ".xlsx")):
        raise ValidationFailed(
            "CSV 또는 XLSX 파일만 올릴 수 있습니다.", {"file": ["CSV 또는 XLSX 파일을 골라 주세요."]}
        )
    with transaction.atomic():
        created = ClientList.objects.create(
            district_id=district_id,
            agency_id=actor.agency_id if actor.scope == Scope.AGENCY else None,
            dong_id=actor.dong_id if actor.scope in (Scope.DONG, Scope.ZONE) else None,
            uploaded_by=actor,
            filename=filename[:255],
            stored_path=stored_path,
        )
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.IMPORT,
            object_type="client_list",
            object_id=created.pk,
            detail={"filename": created.filename},
        )
    return created


def _reference(client_list: ClientList) -> QuerySet[Resident]:
    """Whom a list is linked against: the agency's district, or what the uploading staff may see."""
    if client_list.agency_id:
        return Resident.objects.filter(dong__district_id=client_list.district_id)
    return residents_visible_to(client_list.uploaded_by)


def _discard(client_list: ClientList) -> None:
    if client_list.stored_path:
        with contextlib.suppress(OSError):
            Path(client_list.stored_path).unlink(missing_ok=True)
        client_list.stored_path = ""
        client_list.save(update_fields=["stored_path"])


def client_list_run(*, list_id: int, progress: Callable[[int, int], None] | None = None) -> ClientList:
    """Check the stored file (all-or-nothing), link every row against the registry and store the pairs
    worth a look (match and review) with their evidence. Earlier decisions of the same owner on the same
    client and resident are applied again: a pair dismissed as "not the same" is not stored at all. Runs
    once: a list that is not queued any more comes back unchanged."""
    claimed = ClientList.objects.filter(pk=list_id, status=ClientList.Status.QUEUED).update(
        status=ClientList.Status.RUNNING
    )
    client_list = ClientList.objects.select_related("uploaded_by").filter(pk=list_id).first()
    if client_list is None:
        raise NotFound("명단을 찾을 수 없습니다.")
    if not claimed:
        return client_list
    try:
        result = clients.read_client_file(Path(client_list.stored_path), today=today())
        client_list.total_rows = result.total
        if result.errors:
            _fail(client_list, result.errors)
            return client_list
        client_list_link_rows(client_list, result.rows, progress)
    except Exception as exc:
        client_list.status = ClientList.Status.FAILED
        client_list.finished_at = timezone.now()
        client_list.message = f"예기치 못한 오류로 반영하지 못했습니다(아무것도 반영되지 않음): {exc}"[:2000]
        client_list.save(update_fields=["status", "finished_at", "message", "total_rows"])
        raise
    finally:
        _discard(client_list)
    return client_list


def _fail(client_list: ClientList, errors: list[clients.RowError]) -> None:
    with transaction.atomic():
        ClientListError.objects.bulk_create(
            ClientListError(
                client_list=client_list, row=e.row, column=e.column, value=e.value, reason=e.reason
            )
            for e in errors
        )
        client_list.status = ClientList.Status.FAILED
        client_list.error_count = len(errors)
        client_list.finished_at = timezone.now()
        client_list.message = (
            f"오류 {len(errors)}건: 아무것도 반영하지 않았습니다. 고친 파일을 다시 올려 주세요."
        )
        client_list.save(update_fields=["status", "error_count", "finished_at", "message", "total_rows"])


def client_list_link_rows(
    client_list: ClientList,
    rows: list[clients.ClientRow],
    progress: Callable[[int, int], None] | None,
    *,
    reference: QuerySet[Resident] | None = None,
    log: bool = True,
) -> None:
    owner = client_list.owner_key
    if reference is None:
        reference = _reference(client_list)
    residents = selectors.prepared_residents(reference)
    probes = [row.prepared(index) for index, row in enumerate(rows)]
    index = matching.Index(residents)
    model = _thresholds(matching.batch_model(probes, residents, index))
    fingerprints = [
        clients.fingerprint(owner, name=r.name, birth_date=r.birth_date, case_no=r.case_no) for r in rows
    ]
    remembered = {
        (d.fingerprint, d.resident_id): d
        for d in PairDecision.objects.filter(owner_key=owner, fingerprint__in=set(fingerprints))
    }
    by_rrn: dict[str, int] = {}
    wanted = {r.rrn_index for r in rows if r.rrn_index}
    if wanted:
        by_rrn = dict(reference.filter(rrn_index__in=wanted).values_list("rrn_index", "pk"))
    with transaction.atomic():
        records = ClientRecord.objects.bulk_create(
            ClientRecord(
                client_list=client_list,
                row=r.row,
                name=r.name,
                birth_date=r.birth_date,
                phone=r.phone,
                address=r.address,
                agency_case_no=r.case_no,
                rrn_index=r.rrn_index,
                fingerprint=fp,
            )
            for r, fp in zip(rows, fingerprints, strict=True)
        )
        pairs: list[CandidatePair] = []
        linked: list[ClientRecord] = []
        remembered_count = 0
        for position, (row, record, probe) in enumerate(zip(rows, records, probes, strict=True)):
            found = matching.match_record(model, index, probe, keep_below=False)
            if row.rrn_index and row.rrn_index in by_rrn:
                resident_id = by_rrn[row.rrn_index]
                found = [p for p in found if p.right != resident_id]
                exact = matching.Pair(probe.key, resident_id, 99.0, 1.0, "match", {"rrn": "exact"})
                found.insert(0, exact)
            for pair in found:
                decision = remembered.get((record.fingerprint, pair.right))
                status = CandidatePair.Status.PENDING
                if decision is not None:
                    remembered_count += 1
                    if decision.decision == CandidatePair.Status.NOT_SAME:
                        continue  # dismissed once, never shown again
                    status = CandidatePair.Status(decision.decision)
                    if status == CandidatePair.Status.MERGED and record.resident_id is None:
                        record.resident_id = pair.right
                        linked.append(record)
                evidence = ["주민등록번호 일치"] if "rrn" in pair.levels else pair.evidence
                pairs.append(
                    CandidatePair(
                        client_list=client_list,
                        record=record,
                        resident_id=pair.right,
                        score=round(pair.probability, 4),
                        weight=pair.bits,
                        suggestion=pair.decision,
                        levels=pair.levels,
                        evidence=evidence,
                        status=status,
                        remembered=decision is not None,
                        decided_by_id=decision.decided_by_id if decision else None,
                        decided_at=decision.decided_at if decision else None,
                    )
                )
            if progress is not None and (position + 1) % 500 == 0:
                progress(position + 1, len(rows))
        # A resident is at most one row of a list: of several rows suggested as a match to one resident,
        # only the likeliest stays a match; the others go to the reviewer (matching.shared_residents).
        demoted = matching.shared_residents(
            # The score is rounded to 4 places (two near-certain rows both show 1.0): the weight breaks ties.
            (p.record.row, p.resident_id, (p.score, p.weight))
            for p in pairs
            if p.suggestion == CandidatePair.Suggestion.MATCH
        )
        for p in pairs:
            if (p.record.row, p.resident_id) in demoted:
                p.suggestion = CandidatePair.Suggestion.REVIEW
        CandidatePair.objects.bulk_create(pairs, batch_size=2000)
        ClientRecord.objects.bulk_update(linked, ["resident"], batch_size=2000)
        client_list.status = ClientList.Status.DONE
        client_list.pair_count = len(pairs)
        client_list.match_count = sum(1 for p in pairs if p.suggestion == CandidatePair.Suggestion.MATCH)
        client_list.review_count = len(pairs) - client_list.match_count
        client_list.remembered_count = remembered_count
        client_list.finished_at = timezone.now()
        client_list.message = ""
        client_list.save()
        if not log:  # the demo's seeding is nobody's access
            return
        access_log_record(
            user=client_list.uploaded_by,
            request=None,
            action=AccessLog.Action.IMPORT,
            object_type="client_list_pairs",
            object_id=client_list.pk,
            subjects=sorted({p.resident_id for p in pairs}),
            detail={"rows": len(rows), "pairs": len(pairs)},
        )
        if progress is not None:
            progress(len(rows), len(rows))


def pair_decide(
    *, actor: User, pair_id: int, decision: Decision, request: HttpRequest | None = None
) -> CandidatePair:
    """merge: the client is this resident (the client record is linked to the resident, and so to the
    resident's cases); not_same: never show this pair again for this client; unsure: keep it aside. The
    decision is remembered for the owner of the list, keyed by the client's fingerprint."""
    if not access.can_upload(actor):
        raise PermissionDenied("후보를 검토할 권한이 없습니다.")
    if decision not in _STATUS_OF:
        raise ValidationFailed("알 수 없는 결정입니다.", {"decision": ["merge, not_same, unsure 중 하나"]})
    with transaction.atomic():
        pair = selectors.pair_get(user=actor, pair_id=pair_id, for_update=True)
        record = ClientRecord.objects.select_for_update().get(pk=pair.record_id)
        if pair.status == CandidatePair.Status.MERGED:
            raise ValidationFailed("이미 같은 사람으로 연결한 쌍입니다. 바꾸려면 먼저 연결을 되돌리세요.")
        status = _STATUS_OF[decision]
        now = timezone.now()
        if status == CandidatePair.Status.MERGED:
            if record.resident_id is not None and record.resident_id != pair.resident_id:
                raise ValidationFailed(
                    "이 대상자는 이미 다른 주민과 같은 사람으로 연결되어 있습니다. 그 연결을 먼저 되돌리세요."
                )
            pair.previous_resident_id = record.resident_id
            record.resident_id = pair.resident_id
            record.save(update_fields=["resident"])
        pair.status = status
        pair.decided_by = actor
        pair.decided_at = now
        pair.save(update_fields=["status", "decided_by", "decided_at", "previous_resident_id"])
        PairDecision.objects.update_or_create(
            owner_key=pair.client_list.owner_key,
            fingerprint=record.fingerprint,
            resident_id=pair.resident_id,
            defaults={"decision": status, "decided_by": actor, "decided_at": now},
        )
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CHANGE,
            object_type="linkage_pair",
            object_id=pair.pk,
            subjects=[pair.resident_id],
            detail={"decision": decision, "client_list": pair.client_list_id, "row": record.row},
        )
    return pair


def pair_undo(*, actor: User, pair_id: int, request: HttpRequest | None = None) -> CandidatePair:
    """Take a decision back: a merge restores the client record's earlier link (usually none); every
    decision is forgotten and the pair is pending again."""
    if not access.can_upload(actor):
        raise PermissionDenied("후보를 검토할 권한이 없습니다.")
    with transaction.atomic():
        pair = selectors.pair_get(user=actor, pair_id=pair_id, for_update=True)
        record = ClientRecord.objects.select_for_update().get(pk=pair.record_id)
        if pair.status == CandidatePair.Status.PENDING:
            raise ValidationFailed("되돌릴 결정이 없습니다(아직 검토 전입니다).")
        undone = pair.status
        if pair.status == CandidatePair.Status.MERGED and record.resident_id == pair.resident_id:
            record.resident_id = pair.previous_resident_id
            record.save(update_fields=["resident"])
        pair.status = CandidatePair.Status.PENDING
        pair.decided_by = None
        pair.decided_at = None
        pair.previous_resident_id = None
        pair.remembered = False
        pair.save(update_fields=["status", "decided_by", "decided_at", "previous_resident_id", "remembered"])
        PairDecision.objects.filter(
            owner_key=pair.client_list.owner_key, fingerprint=record.fingerprint, resident_id=pair.resident_id
        ).delete()
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CHANGE,
            object_type="linkage_pair",
            object_id=pair.pk,
            subjects=[pair.resident_id],
            detail={"undo": undone, "client_list": pair.client_list_id, "row": record.row},
        )
    return pair


PAIRS_CSV_HEADER = ("row", "resident_id", "score", "decision", "evidence")


@dataclass
class FileLinkResult:
    rows: int
    pairs: int
    matches: int
    reviews: int
    errors: list[clients.RowError]


def client_file_link(
    *,
    path: Path,
    out: Path,
    actor: User | None,
    reason: str,
    district_code: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FileLinkResult:
    """The terminal's batch linkage (`chatdong link-clients`): link a client file against the registry
    (current residents; of one district when `district_code` is given) and write one CSV row per
    candidate pair: the row number in the file, the resident's id (as the API names it), the score
    (probability), the decision (match / review / non-match) and the evidence. Nothing is written to the
    database but the access log entry (a download of personal data, with its reason). A file with any
    row error writes nothing and returns the errors."""
    if actor is not None and not access.can_upload(actor):
        raise PermissionDenied("기관 대상자 명단을 대조할 권한이 없습니다.")
    read = clients.read_client_file(path, today=today())
    if read.errors:
        return FileLinkResult(read.total, 0, 0, 0, read.errors)
    reference = residents_visible_to(actor) if actor is not None else Resident.objects.all()
    if district_code:
        reference = reference.filter(dong__district__code=district_code)
    residents = selectors.prepared_residents(reference)
    probes = [row.prepared(row.row) for row in read.rows]
    index = matching.Index(residents)
    model = _thresholds(matching.batch_model(probes, residents, index))
    by_rrn: dict[str, int] = {}
    wanted = {r.rrn_index for r in read.rows if r.rrn_index}
    if wanted:
        by_rrn = dict(reference.filter(rrn_index__in=wanted).values_list("rrn_index", "pk"))
    subjects: set[int] = set()
    found_pairs: list[matching.Pair] = []
    for done, (row, probe) in enumerate(zip(read.rows, probes, strict=True), start=1):
        found = matching.match_record(model, index, probe)
        if row.rrn_index in by_rrn:
            resident_id = by_rrn[row.rrn_index]
            found = [p for p in found if p.right != resident_id]
            found_pairs.append(matching.Pair(row.row, resident_id, 99.0, 1.0, "match", {"rrn": "exact"}))
        found_pairs.extend(found)
        if progress is not None and (done % 200 == 0 or done == len(probes)):
            progress(done, len(probes))
    # A resident is at most one row of the file: of several rows matched to one resident only the
    # likeliest stays a match, the others are written as "review" (matching.one_client_per_resident).
    found_pairs = matching.one_client_per_resident(found_pairs)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PAIRS_CSV_HEADER)
        for pair in found_pairs:
            evidence = "주민등록번호 일치" if "rrn" in pair.levels else pair.evidence_text
            writer.writerow((pair.left, pair.right, f"{pair.probability:.4f}", pair.decision, evidence))
            if pair.decision != "non-match":
                subjects.add(pair.right)
    pairs = len(found_pairs)
    matches = sum(p.decision == "match" for p in found_pairs)
    reviews = sum(p.decision == "review" for p in found_pairs)
    tmp.replace(out)
    access_log_record(
        user=actor,
        request=None,
        action=AccessLog.Action.DOWNLOAD,
        object_type="client_file_pairs",
        object_id=path.name[:100],
        subjects=sorted(subjects),
        reason=reason,
        detail={"rows": len(read.rows), "pairs": pairs, "out": out.name},
    )
    return FileLinkResult(len(read.rows), pairs, matches, reviews, [])
