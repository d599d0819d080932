"""The job side: pipeline, dedup, storage, command line, and (lazily) the Celery app.

``celery -A worker`` looks up ``worker.app``; it is resolved on first access so that the CLI and the
plain pipeline never import Celery.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "app":
        from worker.celery_app import app

        return app
    raise AttributeError(f"module 'worker' has no attribute {name!r}")
