from django.db import models


class Role(models.TextChoices):
    TENANT = "tenant", "Tenant"
    LANDLORD = "landlord", "Landlord"
    # Never self-registered: created with `manage.py createsuperuser`.
    ADMIN = "admin", "Admin"


# What a visitor may pick when registering.
SELF_REGISTRATION_ROLES = (Role.TENANT, Role.LANDLORD)


class RevokeReason(models.TextChoices):
    LOGOUT = "logout", "Logged out"
    PASSWORD_CHANGE = "password_change", "Password changed"
    DEACTIVATED = "deactivated", "User deactivated"
    REUSE_DETECTED = "reuse_detected", "Rotated refresh token presented again"
