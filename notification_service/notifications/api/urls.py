from django.urls import path

from . import views

urlpatterns = [
    path("api/notifications/", views.InboxView.as_view()),
    path("api/notifications/unread-count/", views.UnreadCountView.as_view()),
    path("api/notifications/read-all/", views.MarkAllReadView.as_view()),
    path("api/notifications/preferences/", views.PreferencesView.as_view()),
    path("api/notifications/unsubscribe/<str:token>", views.UnsubscribeView.as_view()),
    path("api/notifications/<uuid:notification_id>/read/", views.MarkReadView.as_view()),
    path("api/notifications/<uuid:notification_id>/archive/", views.ArchiveView.as_view()),
]
