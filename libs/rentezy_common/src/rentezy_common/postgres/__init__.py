"""Django's PostgreSQL backend with a cheaper per-request connection health check
(`ENGINE: "rentezy_common.postgres"`, set by `env.database_from_url`): see `base`."""
