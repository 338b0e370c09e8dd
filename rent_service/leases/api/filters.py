"""List filters (django-filter), applied to what the caller may see (selectors)."""

from __future__ import annotations

import django_filters

from ..choices import InvoiceStatus, LeaseStatus, PaymentKind, PaymentStatus
from ..models import Invoice, Lease, Payment


class LeaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LeaseStatus.choices)
    property_id = django_filters.UUIDFilter()
    tenant_id = django_filters.CharFilter(max_length=64)

    class Meta:
        model = Lease
        fields = ["status", "property_id", "tenant_id"]


class InvoiceFilter(django_filters.FilterSet):
    lease_id = django_filters.UUIDFilter()
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["lease_id", "status", "due_from", "due_to"]


class PaymentFilter(django_filters.FilterSet):
    lease_id = django_filters.UUIDFilter()
    invoice_id = django_filters.UUIDFilter()
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices)

    class Meta:
        model = Payment
        fields = ["lease_id", "invoice_id", "status", "kind"]
