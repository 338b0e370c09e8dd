"""booking_service's domain errors: each a 4xx with its own code in the platform's error
shape (rentezy_common.errors). Shared meanings (NotFound, IllegalTransition) come from
the library."""

from __future__ import annotations

from rentezy_common.errors import Conflict, NotFound, ServiceUnavailable


class SoldOut(Conflict):
    code = "sold_out"
    message = "Not enough units of this room are free."


class NotBookable(Conflict):
    code = "not_bookable"
    message = "This room is not open for booking."


class CancellationClosed(Conflict):
    code = "cancellation_closed"
    message = "A confirmed booking can be cancelled by the tenant only before the move-in date."


class BookingNotFound(NotFound):
    code = "booking_not_found"
    message = "No such booking."


class RoomNotFound(NotFound):
    code = "room_not_found"
    message = "No such room."


class PaymentIssueNotFound(NotFound):
    code = "payment_issue_not_found"
    message = "No such payment issue."


class PaymentProviderUnavailable(ServiceUnavailable):
    code = "payment_provider_unavailable"
    message = "The payment provider cannot be reached; try again with the same Idempotency-Key."
