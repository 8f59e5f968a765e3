"""The pure domain core: the rules as plain Python, standard library only (no Flask,
Socket.IO or SQLAlchemy; import-linter checks it). Every other package may import it.
"""

from .errors import DomainError
from .meeting import Meeting, MeetingDetails, Role
from .phases import Phase, Template

# Every module registers its refusal messages on import; import them all here so the
# catalogue is complete wherever the domain is used.
from . import consent, framing, frameworks, proposals, sharing, signing, speaking, tables  # noqa: F401  isort: skip

__all__ = ["DomainError", "Meeting", "MeetingDetails", "Phase", "Role", "Template"]
