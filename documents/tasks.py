from django_tasks import task


@task()
def render_document(document_id: int) -> None:
    """Render one requested document (safe to run twice: the second run does nothing)."""
    from .services import document_render

    document_render(document_id=document_id)


@task()
def build_document_export(export_id: int) -> None:
    """Build one bulk export's ZIP (safe to run twice)."""
    from .services import document_export_build

    document_export_build(export_id=export_id)
