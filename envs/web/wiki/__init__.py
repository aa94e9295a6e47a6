"""The wiki (django-wiki): ``web/wiki.<template>-v0``."""
