"""Visit list filters: `status`, `property_id` (docs/services/visits.md)."""

from __future__ import annotations

import django_filters

from ..choices import VisitStatus
from ..models import Visit


class VisitFilter(django_filters.FilterSet):
    """Applied to the visits the caller may see (selectors.visit_list_visible)."""

    status = django_filters.ChoiceFilter(choices=VisitStatus.choices)
    property_id = django_filters.UUIDFilter()

    class Meta:
        model = Visit
        fields = ["status", "property_id"]
