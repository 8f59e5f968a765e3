"""The ``plandag`` console script.

``plandag run`` must monkey-patch for gevent (or eventlet) before anything else imports
socket, threading or ssl, so this module decides the async mode first and imports the
rest of Plandag only afterwards.
"""

from __future__ import annotations

import os
import sys


def _async_mode(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
    return os.environ.get("PLANDAG_ASYNC_MODE", "gevent")


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["run"]:
        mode = _async_mode(argv)
        if mode == "gevent":
            import gevent
            from gevent import monkey

            # Every greenlet would keep the frames of where it was spawned (a debugging
            # aid): with a thousand phones that is tens of thousands of objects the
            # garbage collector walks on every full collection.
            gevent.config.track_greenlet_tree = False

            monkey.patch_all()
        elif mode == "eventlet":
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                import eventlet

            eventlet.monkey_patch()
    from .cli import cli

    cli()


if __name__ == "__main__":
    main()
