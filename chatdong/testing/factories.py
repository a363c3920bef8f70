"""factory_boy factories shared by every app's tests (synthetic data only)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from chatdong.accounts import access
from chatdong.accounts.models import Agency, Ban, District, Dong, Role, Scope, Tong, User, Zone
from chatdong.core.rrn import blind_index, encrypt_rrn
from chatdong.registry.models import Household, Resident

_rrn_serial = itertools.count(100000)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    name = "성북구"
    code = "1129000000"


class DongFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dong
        django_get_or_create = ("code",)

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"시험{n}동")
    code = factory.Sequence(lambda n: f"11290{n:05d}")


class TongFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tong

    dong = factory.SubFactory(DongFactory)
    number = factory.Sequence(lambda n: n % 90 + 1)


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    dong = factory.SubFactory(DongFactory)
    name = factory.Sequence(lambda n: f"{n}구역")


class BanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ban

    tong = factory.SubFactory(TongFactory)
    number = factory.Sequence(lambda n: n % 90 + 1)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"시험종합사회복지관{n}")
    kind = Agency.Kind.WELFARE_CENTER


class UserFactory(factory.django.DjangoModelFactory):
    """A staff member. Pass role=…; scope and unit follow the role's default unless given."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"직원{n}")
    role = Role.PLANNER_ELDER
    scope = factory.LazyAttribute(lambda o: access.DEFAULT_SCOPE[Role(o.role)])
    dong = factory.LazyAttribute(lambda o: DongFactory() if o.scope in (Scope.DONG, Scope.ZONE) else None)
    district = factory.LazyAttribute(lambda o: DistrictFactory() if o.scope == Scope.DISTRICT else None)
    agency = factory.LazyAttribute(lambda o: AgencyFactory() if o.scope == Scope.AGENCY else None)
    password = factory.PostGenerationMethodCall("set_password", "test-password-1234")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


def make_rrn(birth: dt.date, sex: str = "F") -> str:
    century = birth.year // 100 * 100
    digit = {(1800, "M"): 9, (1800, "F"): 0, (1900, "M"): 1, (1900, "F"): 2, (2000, "M"): 3, (2000, "F"): 4}
    return f"{birth:%y%m%d}{digit[(century, sex)]}{next(_rrn_serial):06d}"


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    household_no = factory.Sequence(lambda n: f"H{n:08d}")
    ban = factory.SubFactory(BanFactory)
    dong = factory.LazyAttribute(lambda o: o.ban.tong.dong)
    road_name = "성북로"
    building_main = factory.Sequence(lambda n: n % 300 + 1)
    building_sub = 0
    address_detail = ""
    member_count = 1


class ResidentFactory(factory.django.DjangoModelFactory):
    """A resident; pass rrn="YYMMDDSNNNNNN" to fix the identity number, or birth_date/sex."""

    class Meta:
        model = Resident
        exclude = ("rrn",)

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"김시험{n}")
    birth_date = dt.date(1961, 5, 17)
    sex = "F"
    rrn = factory.LazyAttribute(lambda o: make_rrn(o.birth_date, o.sex))
    rrn_encrypted = factory.LazyAttribute(lambda o: encrypt_rrn(o.rrn))
    rrn_index = factory.LazyAttribute(lambda o: blind_index(o.rrn))
    phone = factory.Sequence(lambda n: f"010{n:08d}")
    phone_last4 = factory.LazyAttribute(lambda o: o.phone[-4:])
    relation = "본인"
    dong = factory.LazyAttribute(lambda o: o.household.dong)
    ban = factory.LazyAttribute(lambda o: o.household.ban)
    road_name = factory.LazyAttribute(lambda o: o.household.road_name)
    building_main = factory.LazyAttribute(lambda o: o.household.building_main)
    building_sub = 0
