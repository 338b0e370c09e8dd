from django.urls import path

from .. import webhooks
from . import views

urlpatterns = [
    path("api/bookings/", views.BookingListView.as_view()),
    path("api/bookings/stripe/webhook/", webhooks.stripe_webhook),
    path("api/bookings/rooms/<uuid:room_id>/availability/", views.RoomAvailabilityView.as_view()),
    path("api/bookings/payment-issues/", views.PaymentIssueListView.as_view()),
    path(
        "api/bookings/payment-issues/<uuid:issue_id>/resolve/",
        views.PaymentIssueResolveView.as_view(),
    ),
    path("api/bookings/<uuid:booking_id>/", views.BookingDetailView.as_view()),
    path("api/bookings/<uuid:booking_id>/cancel/", views.BookingCancelView.as_view()),
    path("api/bookings/<uuid:booking_id>/simulate-payment/", views.SimulatePaymentView.as_view()),
]
