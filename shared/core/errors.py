"""Errors of the web and protocol layer. Same shape as the domain's (code + message),
so every refusal reaches a client as ``{ok: false, error: {code, message}}``."""

from __future__ import annotations

from shared.domain.errors import MESSAGES, N_, DomainError

PROTOCOL_MESSAGES: dict[str, str] = {
    "auth.required": N_("Log in as a facilitator first."),
    "auth.login_failed": N_("That e-mail address and password do not match."),
    "auth.password_wrong": N_("Your current password is not right."),
    "user.password_mismatch": N_("The two new passwords are not the same."),
    "auth.link_invalid": N_("This login link is invalid, used or expired. Ask for a new one."),
    "auth.forbidden": N_("You are not allowed to do that in this meeting."),
    "auth.not_joined": N_("Join the meeting first: open its link or scan the QR code."),
    "auth.beamer_key_invalid": N_(
        "This beamer link is no longer valid. Open the beamer again from the console."
    ),
    "auth.other_meeting": N_("That belongs to another meeting."),
    "meeting.unknown": N_("There is no such meeting, or you cannot see it."),
    "meeting.template_locked": N_(
        "The process template can only change before the meeting starts."
    ),
    "join.code_unknown": N_(
        "There is no meeting with the code {typed}. Check the code on the beamer."
    ),
    "participant.unknown": N_("That person is not in this meeting."),
    "plan.not_sealed": N_("The plan is sealed when signing closes. Close signing first."),
    "plan.pdf_failed": N_(
        "The PDF could not be made (LibreOffice failed). Download the .docx, or try again."
    ),
    "plan.no_pdf": N_(
        "There is no PDF: LibreOffice is not installed on this server (Debian package "
        "libreoffice-writer-nogui). Download the .docx instead."
    ),
    "party.link_invalid": N_(
        "This personal link is not valid (any more). Ask the facilitator for the current one."
    ),
    "user.unknown": N_("There is no facilitator account with the e-mail address {email}."),
    "user.email_invalid": N_("Enter a valid e-mail address."),
    "user.email_taken": N_("There is already an account with that e-mail address."),
    "user.password_too_short": N_("Choose a password of at least {min} characters."),
    "user.name_invalid": N_("Enter a name of 1 to 120 characters."),
    "facilitator.already": N_("{email} already facilitates this meeting."),
    "payload.invalid": N_("The request was not understood: {detail}."),
    "payload.too_large": N_("The request is too large (at most {max} bytes)."),
    "payload.client_id_reused": N_(
        "This write id was already used for something else; reload the page."
    ),
    "event.unknown": N_("Unknown request '{event}'."),
    "server.error": N_(
        "Something went wrong on the server. Nothing was changed; please try again."
    ),
    "rate.limited": N_("Too many requests at once; wait a moment and try again."),
}


# One error type for the whole product (``DomainError``): the codes of the web and the
# protocol join the domain's catalogue, so a code's message lives in one place.
MESSAGES.update(PROTOCOL_MESSAGES)

#: Every code's template: a live view, so messages that domain modules register on
#: import are included.
ALL_MESSAGES = MESSAGES

#: The HTTP status a refusal gets when it answers a page or a JSON request (sockets
#: carry only the code and the message). Codes not listed: 422.
STATUS: dict[str, int] = {
    "auth.required": 401,
    "auth.login_failed": 401,
    "auth.forbidden": 403,
    "auth.not_joined": 400,
    "auth.link_invalid": 404,
    "auth.beamer_key_invalid": 403,
    "meeting.unknown": 404,
    "join.code_unknown": 404,
    "party.link_invalid": 404,
    "participant.unknown": 404,
    "participant.removed": 403,
    "payload.invalid": 400,
    "payload.too_large": 413,
    "rate.limited": 429,
    "plan.not_sealed": 409,
    "plan.no_pdf": 501,
    "plan.pdf_failed": 500,
    "server.error": 500,
}


def status_of(error: DomainError) -> int:
    return STATUS.get(error.code, 422)
