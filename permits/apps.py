from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Permits and admission routes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import routes

        routes.check_declaration()
