"""The project's URLs plus the bare views the scale benchmark compares pages with."""

from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from cases.models import Case


def bare(request):
    """The cheapest page Django serves here: 25 rows from an indexed query, as JSON."""
    rows = list(Case.objects.order_by("id").values_list("id", "reference")[:25])
    return JsonResponse({"rows": rows})


@csrf_exempt
def bare_update(request, pk: int):
    """The cheapest write: one row updated in one statement."""
    Case.objects.filter(pk=pk).update(version=F("version"))
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-update/<int:pk>/", bare_update),
    path("", include("config.urls")),
]
