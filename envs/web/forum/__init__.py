"""django-machina, the forum of ``web/forum.<template>-v0`` (see env.py)."""
