"""The public site search (Wagtail's search on live pages)."""

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page

MAX_QUERY = 200


def search(request):
    """Live pages matching ``?q=``, 20 to a page."""
    query = request.GET.get("q", "")[:MAX_QUERY].strip()
    results = Page.objects.live().specific().search(query) if query else Page.objects.none()
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "agora_cms/search.html", {"query": query, "results": page})
