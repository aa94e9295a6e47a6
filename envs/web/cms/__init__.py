"""The CMS (Wagtail): ``web/cms.<template>-v0``."""
