"""Settings for `make bench-votes`' server: the product's settings plus a hello view and rate
limits high enough that the load generator (one machine, one address) is not refused."""

from crowdstudio.settings import *  # noqa: F403

DEBUG = False  # no query log growing in memory, no debug pages
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench_votes_urls"
CROWDSTUDIO_VOTE_RATE_ACCOUNT = (10**9, 60)
CROWDSTUDIO_VOTE_RATE_NETWORK = (10**9, 60)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
    "loggers": {"django.server": {"level": "ERROR"}},
}
# runserver starts a thread per connection, so a connection kept per thread would only pile up
# idle database sessions (on PostgreSQL until max_connections is reached).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
