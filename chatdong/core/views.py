from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("home (in progress)")


@login_required
def dong_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("in progress")


@login_required
def dong_detail(request: HttpRequest, dong_id: int) -> HttpResponse:
    return HttpResponse("in progress")
