from django.urls import path

from .. import webhooks
from . import views

LEASE = "api/rent/leases/<uuid:lease_id>/"
INVOICE = "api/rent/invoices/<uuid:invoice_id>/"
PAYMENT = "api/rent/payments/<uuid:payment_id>/"

urlpatterns = [
    path("api/rent/stripe/webhook/", webhooks.stripe_webhook),
    path("api/rent/leases/", views.LeaseListView.as_view()),
    path(LEASE, views.LeaseDetailView.as_view()),
    path(LEASE + "notice/", views.LeaseNoticeView.as_view()),
    path(LEASE + "renew/", views.LeaseRenewView.as_view()),
    path(LEASE + "terminate/", views.LeaseTerminateView.as_view()),
    path(LEASE + "deposit/return/", views.LeaseDepositReturnView.as_view()),
    path(LEASE + "ledger/", views.LeaseLedgerView.as_view()),
    path(LEASE + "card/", views.LeaseCardView.as_view()),
    path(LEASE + "autopay/", views.LeaseAutopayView.as_view()),
    path(LEASE + "simulate-card/", views.LeaseSimulateCardView.as_view()),
    path("api/rent/invoices/", views.InvoiceListView.as_view()),
    path(INVOICE, views.InvoiceDetailView.as_view()),
    path(INVOICE + "pay/", views.InvoicePayView.as_view()),
    path(INVOICE + "waive-late-fee/", views.InvoiceWaiveView.as_view()),
    path(INVOICE + "void/", views.InvoiceVoidView.as_view()),
    path(INVOICE + "mark-uncollectible/", views.InvoiceUncollectibleView.as_view()),
    path("api/rent/payments/", views.PaymentListView.as_view()),
    path(PAYMENT, views.PaymentDetailView.as_view()),
    path(PAYMENT + "receipt.pdf", views.PaymentReceiptView.as_view()),
    path(PAYMENT + "refund/", views.PaymentRefundView.as_view()),
    path(PAYMENT + "simulate/", views.PaymentSimulateView.as_view()),
    path("api/rent/roll/", views.RentRollView.as_view()),
    path("api/rent/payment-issues/", views.PaymentIssueListView.as_view()),
]
