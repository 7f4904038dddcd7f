from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request

from cases.selectors import cases_visible_to

from .models import Document


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
@api_view(["GET"])
def document_file(request: Request, document_id: int) -> FileResponse:
    """The PDF of a ready document, for users who may see its case."""
    document = (
        Document.objects.filter(
            pk=document_id, case__in=cases_visible_to(request.user), status=Document.Status.READY
        )
        .select_related("case")
        .first()
    )
    if document is None or not document.file:
        raise Http404
    filename = f"{document.case.reference}-{document.kind}-v{document.version}.pdf"
    return FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=filename
    )
