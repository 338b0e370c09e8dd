from django.urls import path

from . import views

urlpatterns = [
    path(
        "api/visits/properties/<uuid:property_id>/availability/",
        views.AvailabilityView.as_view(),
    ),
    path("api/visits/properties/<uuid:property_id>/slots/", views.SlotsView.as_view()),
    path("api/visits/requests/", views.VisitListView.as_view()),
    path("api/visits/requests/<uuid:visit_id>/", views.VisitDetailView.as_view()),
    path("api/visits/requests/<uuid:visit_id>/confirm/", views.VisitConfirmView.as_view()),
    path("api/visits/requests/<uuid:visit_id>/decline/", views.VisitDeclineView.as_view()),
    path("api/visits/requests/<uuid:visit_id>/cancel/", views.VisitCancelView.as_view()),
    path("api/visits/requests/<uuid:visit_id>/reschedule/", views.VisitRescheduleView.as_view()),
    path("api/visits/requests/<uuid:visit_id>/visit.ics", views.VisitCalendarView.as_view()),
    path("api/visits/calendar-feed/", views.CalendarFeedView.as_view()),
    path("api/visits/feeds/<str:token>.ics", views.FeedView.as_view()),
]
