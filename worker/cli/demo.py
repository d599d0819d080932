"""`wirefeed demo serve`: the bundled fixture site on its own, so the Celery workers can crawl it offline."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from worker.cli.app import app
from worker.cli.common import err, fail, out

demo_app = typer.Typer(
    help="The bundled demo site (three outlets with feeds, sitemaps and hostile pages).", no_args_is_help=True
)
app.add_typer(demo_app, name="demo")


@demo_app.command("serve")
def serve(
    sources_out: Annotated[
        Path, typer.Option("--sources-out", help="Where to write the sources file that points at the site.")
    ] = Path("demo-sources.yaml"),
) -> None:
    """Serve the demo site on 127.0.0.1 until Ctrl-C, and write a sources file for it, so
    `wirefeed crawl --enqueue` can be tried against it with real workers and no network."""
    from worker.cli.crawl import DEMO_PORTS
    from worker.demo import DemoSite

    stop = threading.Event()

    def finish(*_: Any) -> None:
        stop.set()

    # Ctrl-C is handled as a signal, like SIGTERM, not as KeyboardInterrupt: a process started from a
    # non-interactive shell's background job (a test runner, a supervisor) inherits SIGINT ignored, and
    # Python then never raises KeyboardInterrupt, so the site served on until killed
    previous = {sig: signal.signal(sig, finish) for sig in (signal.SIGTERM, signal.SIGINT)}
    with DemoSite(preferred_ports=DEMO_PORTS) as site:
        path = sources_out.resolve()
        try:
            path.write_text(yaml.safe_dump(site.sources_document(), sort_keys=False), encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {path}: {error.strerror}")
        for name, url in site.base_urls.items():
            out.print(f"{name:<10} {url}")
        out.print(f"sources file: {path}")
        out.print(
            "workers and crawl need (in each shell):\n"
            f"  export WIREFEED_SOURCES={path} WIREFEED_ALLOW_PRIVATE_HOSTS=127.0.0.1\n"
            "then: wirefeed crawl --enqueue --wait   (docs/celery.md has the worker commands)",
            markup=False,
        )
        err.print("serving; Ctrl-C stops")
        while not stop.wait(0.5):
            pass
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    err.print("demo site stopped")
