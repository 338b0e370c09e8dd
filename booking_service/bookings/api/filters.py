"""Booking list filters: `status`, `property_id`, `room_id` (docs/services/booking.md)."""

from __future__ import annotations

import django_filters

from ..models import Booking, BookingStatus


class BookingFilter(django_filters.FilterSet):
    """Applied to the bookings the caller may see (selectors.booking_list_visible)."""

    status = django_filters.ChoiceFilter(choices=BookingStatus.choices)
    property_id = django_filters.UUIDFilter()
    room_id = django_filters.UUIDFilter()

    class Meta:
        model = Booking
        fields = ["status", "property_id", "room_id"]
