"""rent_service's domain errors: each a 4xx with its own code in the platform's error
shape (rentezy_common.errors). Shared meanings (NotFound, IllegalTransition) come from
the library."""

from __future__ import annotations

from rentezy_common.errors import ApiError, Conflict, NotFound, ServiceUnavailable


class LeaseNotFound(NotFound):
    code = "lease_not_found"
    message = "No such lease."


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"
    message = "No such invoice."


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    message = "No such payment."


class PropertyNotFound(NotFound):
    code = "property_not_found"
    message = "No such property of yours is known to the rent service."


class NotPayable(Conflict):
    code = "not_payable"
    message = "This invoice cannot be paid now."


class AmountOutOfRange(ApiError):
    status_code = 400
    code = "amount_out_of_range"
    message = "The amount is not one that can be paid or refunded here."


class CurrencyMismatch(ApiError):
    status_code = 400
    code = "currency_mismatch"
    message = "The currency is not the lease's currency."


class TermsLocked(Conflict):
    code = "terms_locked"
    message = "These terms can no longer change: the lease has started or been invoiced."


class NoLateFee(Conflict):
    code = "no_late_fee"
    message = "This invoice has no late fee to waive (or it was waived already)."


class NoPaymentMethod(Conflict):
    code = "no_payment_method"
    message = "Save a card first (POST .../payment-method/)."


class NotRefundable(Conflict):
    code = "not_refundable"
    message = "This payment cannot be refunded (not succeeded, or refunded in full)."


class DepositSettled(Conflict):
    code = "deposit_settled"
    message = "The deposit of this lease was settled already."


class PaymentProviderUnavailable(ServiceUnavailable):
    code = "payment_provider_unavailable"
    message = "The payment provider cannot be reached; try again with the same Idempotency-Key."


class PaymentRefused(Conflict):
    code = "payment_refused"
    message = "The payment provider refused the request."
