"""`/api/properties/...` (docs/services/property.md, "API"; trailing slashes exactly as
listed there, since APPEND_SLASH is off). Ids are UUIDs: anything else does not match and
is a JSON 404."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.PropertyListView.as_view(), name="property-list"),
    path("media/<path:name>", views.MediaView.as_view(), name="property-media"),
    path("<uuid:pk>/", views.PropertyDetailView.as_view(), name="property-detail"),
    path("<uuid:pk>/publish/", views.PropertyPublishView.as_view(), name="property-publish"),
    path("<uuid:pk>/unpublish/", views.PropertyUnpublishView.as_view(), name="property-unpublish"),
    path("<uuid:pk>/rooms/", views.RoomListView.as_view(), name="room-list"),
    path("<uuid:pk>/rooms/<uuid:room_id>/", views.RoomDetailView.as_view(), name="room-detail"),
    path("<uuid:pk>/photos/", views.PhotoListView.as_view(), name="photo-list"),
    path("<uuid:pk>/photos/<uuid:photo_id>/", views.PhotoDetailView.as_view(), name="photo-detail"),
]
