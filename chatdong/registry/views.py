from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("in progress")


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("in progress")
