"""Listing filters: `owner`, `status`, `city`, `ordering` (docs/services/property.md)."""

from __future__ import annotations

import django_filters
from rest_framework.exceptions import NotAuthenticated

from .choices import PropertyStatus
from .models import Property

LISTABLE_STATUSES = [
    (PropertyStatus.DRAFT, "draft"),
    (PropertyStatus.PUBLISHED, "published"),
    (PropertyStatus.ARCHIVED, "archived"),
]


class PropertyFilter(django_filters.FilterSet):
    """Applied to the properties the caller may read (selectors.property_list_visible).

    Without `owner` or `status` only published properties are listed, for everybody: the
    catalogue. `owner=me` lists the caller's own in every status (deleted excepted);
    `status=draft` lists the drafts the caller may see (their own; all for admins).
    """

    owner = django_filters.CharFilter(method="filter_owner", max_length=64)
    status = django_filters.ChoiceFilter(choices=LISTABLE_STATUSES)
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact", max_length=120)
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created"), ("monthly_price", "price")),
    )

    class Meta:
        model = Property
        fields = ["owner", "status", "city"]

    def filter_owner(self, queryset, name, value):
        if value == "me":
            user = self.request.user if self.request else None
            if not (user and user.is_authenticated):
                raise NotAuthenticated("owner=me needs a signed-in caller.")
            value = str(user.id)
        return queryset.filter(owner_id=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("owner") and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=PropertyStatus.PUBLISHED)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("-created_at")
        # A stable tie-break, so pages never overlap or skip.
        return queryset.order_by(*queryset.query.order_by, "id")
