"""The shop's Django side (django-oscar), loaded by ``envs/web/django_site.py`` in the apps' venv.

Oscar's own settings (``oscar.defaults``) with an order-status pipeline the dashboard can walk, US dollars,
and a haystack engine that answers Oscar's product searches (browse, categories, search, sorting) with
database queries on the episode's own copy: nothing to index, offline, and a change an episode makes (a
price, a new product) shows in its listings at once. Haystack's bundled simple backend cannot filter (it
turns Oscar's ``is_public``/``category`` filters into text terms and finds nothing), hence this one.
"""

import sys
import types

INSTALLED_APPS = [
    "django.contrib.flatpages",
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "oscar.apps.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "oscar.apps.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
]
CONTEXT_PROCESSORS = [
    "oscar.apps.search.context_processors.search_form",
    "oscar.apps.checkout.context_processors.checkout",
    "oscar.apps.communication.notifications.context_processors.notifications",
    "oscar.core.context_processors.metadata",
]
MIDDLEWARE = ["oscar.apps.basket.middleware.BasketMiddleware"]
ORDER_STATUS_PIPELINE = {
    "Pending": ("Being processed", "Cancelled"),
    "Being processed": ("Shipped", "Cancelled"),
    "Shipped": ("Complete", "Returned"),
    "Complete": ("Returned",),
    "Returned": (),
    "Cancelled": (),
}
"""The order statuses and the moves the dashboard offers from each (the seed uses the same names)."""


SEARCH_MODULE = "agora_store_search"
SORT_FIELDS = {"price": "stockrecords__price", "rating": "rating", "date_created": "date_created"}
SORT_FIELDS.update(title_exact="title", title="title", num_in_stock="stockrecords__num_in_stock")
"""Oscar's sort keys (``SearchForm.SORT_BY_MAP``) as fields of the Product model."""


def _product_filter(node):
    """The Django ``Q`` of a haystack filter tree, for the filters Oscar's views build."""
    from django.db.models import Q

    found = Q()
    for child in node.children:
        if hasattr(child, "children"):
            part = _product_filter(child)
        else:
            expression, value = child
            field, _, _lookup = expression.partition("__")
            value = getattr(value, "query_string", value)
            part = _field_filter(field, value)
        found = found | part if node.connector == "OR" and found else found & part
    return ~found if node.negated else found


def _field_filter(field: str, value):
    from django.db.models import Q

    if field == "is_public":
        return Q(is_public=str(value).lower() in ("true", "1"))
    if field == "structure":
        return Q(structure__in=list(value) if isinstance(value, list | tuple) else [value])
    if field == "category":
        return Q(categories__in=list(value) if isinstance(value, list | tuple) else [value])
    if field in ("content", "text", "title"):
        found = Q()
        for term in str(value).split()[:8]:
            term = term.strip("\"'")[:100]
            if term and not term.startswith("-"):
                found &= Q(title__icontains=term) | Q(upc__iexact=term) | Q(description__icontains=term)
        return found
    return Q()


def _database_engine():
    from haystack.backends import BaseEngine
    from haystack.backends.simple_backend import SimpleSearchBackend, SimpleSearchQuery
    from haystack.models import SearchResult

    class DatabaseQuery(SimpleSearchQuery):
        """Hands the filter tree itself to the backend."""

        def build_query(self):
            return self.query_filter

    class DatabaseBackend(SimpleSearchBackend):
        """Oscar's product searches as Product queries (no facets, no spelling)."""

        def search(self, query_string, start_offset=0, end_offset=None, sort_by=None, **kwargs):
            from oscar.core.loading import get_model

            products = get_model("catalogue", "Product").objects.all()
            if hasattr(query_string, "children"):
                products = products.filter(_product_filter(query_string)).distinct()
            order = []
            for key in sort_by or ():
                name = SORT_FIELDS.get(key.lstrip("-"))
                if name:
                    order.append(("-" if key.startswith("-") else "") + name)
            products = products.order_by(*order, "id")
            hits = products.count()
            results = []
            for product in products[start_offset:end_offset]:
                result = SearchResult("catalogue", "product", product.pk, 0)
                result._object, result._model = product, type(product)
                results.append(result)
            return {"results": results, "hits": hits, "facets": {}, "spelling_suggestion": None}

    class DatabaseEngine(BaseEngine):
        backend = DatabaseBackend
        query = DatabaseQuery

    return DatabaseEngine


class _SearchModule(types.ModuleType):
    """The module haystack's ``ENGINE`` names; the engine is built on first use (haystack needs settings)."""

    def __getattr__(self, name: str):
        if name != "Engine":
            raise AttributeError(name)
        self.Engine = _database_engine()
        return self.Engine


sys.modules.setdefault(SEARCH_MODULE, _SearchModule(SEARCH_MODULE))


def _settings() -> dict:
    import oscar.defaults

    found = {name: getattr(oscar.defaults, name) for name in dir(oscar.defaults) if name.isupper()}
    found.update(
        OSCAR_SHOP_NAME="Agora Outfitters",
        OSCAR_DEFAULT_CURRENCY="USD",
        OSCAR_INITIAL_ORDER_STATUS="Pending",
        OSCAR_INITIAL_LINE_STATUS="Pending",
        OSCAR_ORDER_STATUS_PIPELINE=ORDER_STATUS_PIPELINE,
        OSCAR_LINE_STATUS_PIPELINE=ORDER_STATUS_PIPELINE,
        OSCAR_EAGER_ALERTS=False,
        OSCAR_SEND_REGISTRATION_EMAIL=False,
        HAYSTACK_CONNECTIONS={"default": {"ENGINE": f"{SEARCH_MODULE}.Engine"}},
        THUMBNAIL_DEBUG=False,
        MEDIA_ROOT="/nonexistent-agora-media",
        MEDIA_URL="/media/",
        LOGIN_URL="/accounts/login/",
    )
    return found


SETTINGS = _settings()


def urlpatterns() -> list:
    """Oscar's shop at the root (catalogue, basket, checkout, accounts, dashboard)."""
    from django.apps import apps
    from django.urls import include, path

    return [path("i18n/", include("django.conf.urls.i18n")), path("", include(apps.get_app_config("oscar").urls[0]))]
