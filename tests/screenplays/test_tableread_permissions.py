"""Who may open which table-read page and API route, per persona.

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.
"""

from __future__ import annotations

from typing import Any

WEB_ROWS: dict[str, Any] = {}
API_ROWS: dict[str, Any] = {}
