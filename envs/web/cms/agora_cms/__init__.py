"""The CMS's page types (a Wagtail site's own Django app; runs in the apps' venv, never imported by agora)."""
