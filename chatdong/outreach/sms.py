"""Pluggable SMS backends for advance notices (사전안내). CHATDONG_SMS_BACKEND names the class; the default,
OutboxBackend, makes no outside call: it writes each message to the outbox staff can see. A real gateway
subclasses SmsBackend and returns one SmsResult per message (same key)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from chatdong.outreach.models import OutboxMessage


@dataclass(frozen=True)
class SmsMessage:
    key: str  # idempotency key (one per notice)
    phone: str
    body: str
    notice_id: int | None = None
    dong_id: int | None = None


@dataclass(frozen=True)
class SmsResult:
    key: str
    ok: bool
    detail: str = ""


class SmsBackend:
    def send(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        raise NotImplementedError


class OutboxBackend(SmsBackend):
    """Writes to OutboxMessage; a message already written for the notice is not written again."""

    def send(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        results = []
        for message in messages:
            if message.notice_id is not None:
                _, created = OutboxMessage.objects.get_or_create(
                    notice_id=message.notice_id,
                    defaults={"dong_id": message.dong_id, "phone": message.phone, "body": message.body},
                )
            else:
                OutboxMessage.objects.create(dong_id=message.dong_id, phone=message.phone, body=message.body)
                created = True
            results.append(
                SmsResult(key=message.key, ok=True, detail="발송함에 기록" if created else "이미 기록됨")
            )
        return results


class FailingBackend(SmsBackend):
    """For tests and drills: every message fails."""

    def send(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        return [SmsResult(key=m.key, ok=False, detail="발송 실패(시험용)") for m in messages]


def sms_backend() -> SmsBackend:
    backend_class = import_string(
        getattr(settings, "CHATDONG_SMS_BACKEND", "chatdong.outreach.sms.OutboxBackend")
    )
    backend = backend_class()
    assert isinstance(backend, SmsBackend)
    return backend
