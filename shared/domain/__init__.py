"""The pure domain core: no Flask, Socket.IO or SQLAlchemy imports here."""

from .errors import DomainError
from .meeting import Meeting, MeetingDetails, Role
from .phases import Phase, Template

__all__ = ["DomainError", "Meeting", "MeetingDetails", "Phase", "Role", "Template"]
