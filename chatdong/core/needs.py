"""Need categories: the categories of the district's welfare-needs and resource survey (seed V-3:
일상생활·생계 > 건강·의료 > 주거 > 일자리 …; resources: 교육·보육, 건강·돌봄, 문화·체육 …). One list
for the visit checklist, the counseling desk, case assessment, referrals and (later) the resource
directory, so that a need found anywhere can be matched to a resource."""

from __future__ import annotations

from django.db import models


class NeedCategory(models.TextChoices):
    DAILY_LIVING = "daily_living", "일상생활·생계"
    HEALTH = "health", "건강·의료"
    HOUSING = "housing", "주거"
    JOBS = "jobs", "일자리"
    EDUCATION = "education", "교육·보육"
    CARE = "care", "돌봄"
    CULTURE = "culture", "문화·여가"
    SAFETY = "safety", "안전"
    LEGAL = "legal", "법률·권익"
    RELATIONS = "relations", "가족·관계"
    OTHER = "other", "기타"
