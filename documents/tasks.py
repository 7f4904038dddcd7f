from django_tasks import task


@task()
def render_document(document_id: int) -> None:
    """Render one requested document (safe to run twice: the second run does nothing)."""
    from .services import document_render

    document_render(document_id=document_id)
