from django.urls import path

from . import views

urlpatterns = [
    path("properties", views.PropertySearchView.as_view(), name="search-properties"),
    path("suggest", views.SuggestView.as_view(), name="search-suggest"),
]
