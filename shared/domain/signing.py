"""Signing the plan: everyone reads the final plan and signs it with their full name
(and, if they like, a signature drawn with a finger), or declines with an optional
reason. Framework parties sign their framework check. Signing closes when the facilitator
closes it; the plan document is sealed then."""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError
from .meeting import Role, clean_block, clean_line
from .phases import Phase

FULL_NAME_MAX = 120
REASON_MAX = 1000
#: a drawn signature: a small PNG, at most this many bytes and pixels a side
IMAGE_MAX_BYTES = 150_000
IMAGE_MAX_SIDE = 2000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

#: who signs: the people the plan is for, and the framework parties (their check)
SIGNING_ROLES = frozenset({Role.PARTICIPANT, Role.INFORMANT, Role.FRAMEWORK_PARTY})

MESSAGES.update(
    {
        "signing.phase_closed": N_("The plan is signed in the signing phase."),
        "signing.closed": N_("Signing is closed; the plan document has been sealed."),
        "signing.open": N_("Close signing first: the plan document is sealed when it closes."),
        "signing.already_closed": N_("Signing was already closed."),
        "signing.not_signer": N_("Observers do not sign the plan."),
        "signing.name_invalid": N_("Sign with your full name (1 to {max} characters)."),
        "signing.reason_too_long": N_("A reason can be at most {max} characters."),
        "signing.image_invalid": N_(
            "The drawn signature could not be read. Clear it and draw it again, or sign "
            "with your name only."
        ),
        "signing.needs_plan": N_(
            "The plan is signed after the final consent round on the whole plan adopted it."
        ),
    }
)


class SignatureStatus(StrEnum):
    SIGNED = "signed"
    DECLINED = "declined"


@dataclass(frozen=True)
class SignatureInput:
    status: SignatureStatus
    name: str
    reason: str
    image: bytes | None


def check_can_sign(phase: Phase, closed: bool, role: Role) -> None:
    if closed:
        raise DomainError("signing.closed")
    if phase is not Phase.SIGNING:
        raise DomainError("signing.phase_closed")
    if role not in SIGNING_ROLES:
        raise DomainError("signing.not_signer")


def decode_png(data_url: object) -> bytes | None:
    """A drawn signature as the browser sends it (a PNG data URL, or plain base64), or
    None for no drawing. Only a real, small PNG is accepted."""
    if data_url is None or data_url == "":
        return None
    if not isinstance(data_url, str):
        raise DomainError("signing.image_invalid")
    text = data_url.split(",", 1)[1] if data_url.startswith("data:image/png;base64,") else data_url
    if len(text) > IMAGE_MAX_BYTES * 4 // 3 + 4:
        raise DomainError("signing.image_invalid")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("signing.image_invalid") from None
    if len(raw) > IMAGE_MAX_BYTES or len(raw) < 33 or not raw.startswith(PNG_MAGIC):
        raise DomainError("signing.image_invalid")
    if raw[12:16] != b"IHDR":
        raise DomainError("signing.image_invalid")
    width, height = struct.unpack(">II", raw[16:24])
    if not (1 <= width <= IMAGE_MAX_SIDE and 1 <= height <= IMAGE_MAX_SIDE):
        raise DomainError("signing.image_invalid")
    return raw


def validate_signature(
    sign: bool, name: object, reason: object = "", image: object = None
) -> SignatureInput:
    clean = clean_line(name) if isinstance(name, str) else ""
    if not 1 <= len(clean) <= FULL_NAME_MAX:
        raise DomainError("signing.name_invalid", max=FULL_NAME_MAX)
    if sign:
        return SignatureInput(SignatureStatus.SIGNED, clean, "", decode_png(image))
    why = clean_block(reason) if isinstance(reason, str) else ""
    if len(why) > REASON_MAX:
        raise DomainError("signing.reason_too_long", max=REASON_MAX)
    return SignatureInput(SignatureStatus.DECLINED, clean, why, None)
