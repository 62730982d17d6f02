"""The JSON API (django-ninja): one router module per app, OpenAPI at /api/docs."""
