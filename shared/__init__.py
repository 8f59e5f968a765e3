"""Plandag's own package. What lives where (docs/architecture.md draws it):

- ``domain/``: the pure rules, standard library only; everything may import it.
- ``core/``: database, rows, the error catalogue, intent plumbing, the view-key
  registry; imports only the domain.
- one package per capability (``meeting``, ``accounts``, ``framing``, ``sharing``,
  ``speaking``, ``proposals``, ``tables``, ``consent``, ``kaders``, ``signing``), each
  with ``service.py`` (use cases) and ``screens.py`` (what each audience sees); they
  import core, domain and each other's public names, one way only.
- ``screens.py`` composes the features' screens; ``web.py`` and ``realtime/`` are the
  HTTP and Socket.IO edges; ``app.py`` / ``cli.py`` assemble and run it all.

import-linter (``make lint``, contracts in pyproject.toml) keeps these directions.
"""
