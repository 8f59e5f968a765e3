"""The core every feature builds on: the database and its rows, the one error type's
catalogue, the intent plumbing (idempotent, versioned commits), the view-key registry
and small in-process guards. Imports only ``shared.domain``; every feature and edge
imports it.
"""

# The web's and protocol's refusal codes join the one catalogue as soon as the core is
# imported (every service imports it), so their messages are known wherever they are raised.
from shared.core import errors as _errors  # noqa: F401
