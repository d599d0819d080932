"""The Celery app's contract: what the embedded mode must not import, and the settings the docs promise."""

from __future__ import annotations

import subprocess
import sys

from config.settings import load_settings
from tests.celery_support import ROOT
from worker.producers import display


def _fresh_python(script: str, **env: str) -> str:
    """What ``script`` prints in a new interpreter with a bare environment: only its own imports count."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_cli_and_pipeline_do_not_import_celery() -> None:
    """The embedded mode (SQLite, no broker) must not pay for, or depend on, the Celery stack. (The redis
    client library may be imported, by datasketch; no connection is made without a Redis URL.)"""
    script = (
        "import sys, worker.cli, worker.pipeline, worker.producers, worker.queued_crawl, worker.runs; "
        "print(sorted(m for m in ('celery', 'kombu', 'billiard', 'redbeat', 'flower') if m in sys.modules))"
    )
    assert _fresh_python(script) == "[]"


def test_reliability_settings_follow_the_configuration() -> None:
    from worker.celery_app import TASK_ROUTES, celery_config

    conf = celery_config(
        load_settings(
            broker_url="redis://broker.example:6379/4",
            visibility_timeout_s=900,
            task_time_limit_s=120,
            task_soft_time_limit_s=100,
        )
    )
    assert conf["broker_url"] == "redis://broker.example:6379/4"
    assert conf["accept_content"] == ["json"] and conf["task_serializer"] == "json"  # pickle refused
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["broker_transport_options"]["visibility_timeout"] == 900
    assert conf["task_time_limit"] == 120 and conf["task_soft_time_limit"] == 100
    assert conf["task_ignore_result"] and conf["worker_send_task_events"]
    assert {route["queue"] for route in TASK_ROUTES.values()} == {"discover", "fetch", "process"}
    import worker.tasks
    from worker import app

    assert worker.tasks.app is app
    app.loader.import_default_modules()  # as the worker does: the app's ``include`` names every task module
    registered = {name for name in app.tasks if name.startswith("wirefeed.")}
    assert registered == set(TASK_ROUTES)  # every task routed, every route a task


def test_display_keeps_arguments_readable() -> None:
    page = "<html>" + "x" * 100_000
    shown = display({"url": "https://news.example/a", "html": page, "source": None})
    assert "https://news.example/a" in shown and "(100006 chars)" in shown and len(shown) < 200
    assert display({"items": [{"url": "u", "text": "t"}] * 25}) == "{'items': […25 items]}"
    assert display({"items": [{"url": "u"}]}) == "{'items': [{…1 keys}]}"


def test_importing_the_app_reads_no_command_line() -> None:
    """The app's module is imported by workers, beat, Flower and producers alike: importing it must not
    depend on the process's arguments (the Flower guard runs when Flower starts, not on import)."""
    script = (
        "import sys; sys.argv = ['celery', '-A', 'worker', 'flower']; "
        "import worker.celery_app as c; print(c.app.main)"
    )
    assert _fresh_python(script, WIREFEED_FLOWER_BASIC_AUTH="") == "wirefeed"


def test_the_app_imports_no_task_module() -> None:
    """One way: the app names its task modules in ``include`` and the worker imports them; the app never
    imports them, not even inside a function, so a task module importing the app is never a circle."""
    from tests.test_import_cycles import import_graph
    from worker.queues import TASK_MODULES

    graph = import_graph()
    reached: set[str] = set()
    todo = ["worker.celery_app"]
    while todo:
        for module in graph[todo.pop()] - reached:
            reached.add(module)
            todo.append(module)
    assert not reached & {*TASK_MODULES, "worker.producers"}, sorted(reached)
