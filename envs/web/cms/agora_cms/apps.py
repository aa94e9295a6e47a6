"""The page app's configuration."""

from django.apps import AppConfig


class AgoraCmsConfig(AppConfig):
    """The CMS's page types."""

    name = "agora_cms"
    default_auto_field = "django.db.models.AutoField"
