"""`/api/auth/...`: no trailing slashes (docs/services/auth.md, "API")."""

from django.urls import path

from . import views

urlpatterns = [
    path("register", views.RegisterView.as_view(), name="auth-register"),
    path("login", views.LoginView.as_view(), name="auth-login"),
    path("refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("logout", views.LogoutView.as_view(), name="auth-logout"),
    path("me", views.MeView.as_view(), name="auth-me"),
    path("password", views.PasswordChangeView.as_view(), name="auth-password"),
    path("password/reset", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "password/reset/confirm",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("email", views.EmailChangeView.as_view(), name="auth-email-change"),
    path("email/verify", views.EmailVerificationResendView.as_view(), name="auth-email-verify"),
    path("email/confirm", views.EmailConfirmView.as_view(), name="auth-email-confirm"),
    path("users", views.UserListView.as_view(), name="auth-users"),
    path("users/<int:user_id>", views.UserDetailView.as_view(), name="auth-user"),
    path(
        "users/<int:user_id>/deactivate",
        views.UserDeactivateView.as_view(),
        name="auth-user-deactivate",
    ),
    path(
        "users/<int:user_id>/activate", views.UserActivateView.as_view(), name="auth-user-activate"
    ),
]

internal_urlpatterns = [
    path("introspect", views.IntrospectView.as_view(), name="internal-introspect"),
]
