"""Who may open which social page and call which social API route (one status per persona).

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails. Use the shared harness in
tests/permissions.py.
"""

from __future__ import annotations

from typing import Any

WEB_ROWS: dict[str, Any] = {}
API_ROWS: dict[str, Any] = {}
