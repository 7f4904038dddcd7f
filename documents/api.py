"""Documents over the API: metadata, the PDF itself, re-rendering, bulk exports."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from cases.api.serializers import DocumentSerializer
from cases.models import CaseRead
from cases.rules import can_work_on_case, is_coordinator
from cases.selectors import documents_visible_to
from cases.services import case_read_log

from . import services
from .models import Document, DocumentExport


class DocumentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DocumentSerializer

    def get_queryset(self):
        return documents_visible_to(self.request.user).select_related("case")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="file", url_name="file")
    def file(self, request, pk=None):
        """The PDF of a ready document, for users who may see its case. Each download is logged."""
        document = self.get_object()
        if document.status != Document.Status.READY or not document.file:
            raise NotFound(_("This document is not ready."))
        case_read_log(case=document.case, user=request.user, kind=CaseRead.Kind.DOCUMENT, document=document)
        return FileResponse(
            document.file.open("rb"),
            content_type="application/pdf",
            filename=services.document_filename(document),
        )

    @extend_schema(request=None, responses={202: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def rerender(self, request, pk=None):
        """Render the document again as its next version (a failed one, or after a correction)."""
        document = self.get_object()
        if not (can_work_on_case(request.user, document.case) or is_coordinator(request.user)):
            raise ApiPermissionDenied(_("You may not re-render this case's documents."))
        new_version = services.document_rerender(document=document, actor=request.user)
        return Response(
            DocumentSerializer(new_version, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class DocumentExportSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentExport
        fields = [
            "id", "filters", "status", "total", "done", "progress", "size", "error",
            "created_at", "finished_at", "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, export) -> str | None:
        if export.status != DocumentExport.Status.READY:
            return None
        request = self.context.get("request")
        url = f"/api/document-exports/{export.pk}/file/"
        return request.build_absolute_uri(url) if request else url


class DocumentExportRequestSerializer(serializers.Serializer):
    stage = serializers.CharField(required=False, allow_blank=True)
    phase = serializers.CharField(required=False, allow_blank=True)
    cohort = serializers.CharField(required=False, allow_blank=True, max_length=50)
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DocumentExportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Bulk exports: a coordinator asks, the worker builds the ZIP, the page polls progress."""

    serializer_class = DocumentExportSerializer
    # The schema reads the id's type from the model (the queryset needs a user).
    queryset = DocumentExport.objects.none()

    def get_queryset(self):
        return DocumentExport.objects.filter(requested_by=self.request.user)

    @extend_schema(request=DocumentExportRequestSerializer, responses={202: DocumentExportSerializer})
    def create(self, request):
        payload = DocumentExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        export = services.document_export_request(actor=request.user, filters=payload.validated_data)
        return Response(
            DocumentExportSerializer(export, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request, pk=None):
        export = get_object_or_404(self.get_queryset(), pk=pk)
        if export.status != DocumentExport.Status.READY:
            raise NotFound(_("This export is not ready."))
        return FileResponse(
            export.file.open("rb"), content_type="application/zip",
            filename=f"itinera-documents-{export.pk}.zip",
        )
