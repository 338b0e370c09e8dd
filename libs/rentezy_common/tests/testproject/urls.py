from django.urls import path

from rentezy_common.errors import handler400, handler403, handler404, handler500  # noqa: F401
from rentezy_common.urls import platform_urlpatterns
from tests.testapp import views

urlpatterns = [
    *platform_urlpatterns(),
    path("api/whoami", views.WhoAmI.as_view()),
    path("api/public", views.Public.as_view()),
    path("api/landlords-only", views.LandlordsOnly.as_view()),
    path("api/items", views.Items.as_view()),
    path("api/idempotent-items", views.IdempotentItems.as_view()),
    path("api/conflict", views.ConflictView.as_view()),
    path("api/crash", views.Crash.as_view()),
    path("plain/crash", views.plain_crash),
    path("plain/post-only", views.plain_post_only),
    path("plain/teapot", views.plain_teapot),
    path("api/paged-items", views.PagedItems.as_view()),
]
