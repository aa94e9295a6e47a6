"""The help desk (django-helpdesk): ``web/helpdesk.<template>-v0``."""
