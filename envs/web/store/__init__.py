"""The shop (django-oscar): ``web/store.<template>-v0`` (see env.py)."""
