"""Personal links of the process before the day: a core-group member's page (the drafts
of the issue statement and the kaders, to read and comment on, phone first), and a
personal invitation, which joins the meeting on the day with the person's name and
group already known."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import format_date

from shared.domain import DomainError
from shared.i18n import localize_error, use_meeting_language
from shared.process import service
from shared.web import client_address, plandag, refused_page

from .pages import _new_device_cookie, device_token

bp = Blueprint("invited", __name__)


def _no_referrer(page: str) -> Response:
    """A personal link's page: not cached, and its address (the secret) is not sent on
    as a referrer."""
    response = Response(page)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def invalid_link(code: str) -> Any:
    """An unknown personal link: 404, spending the address's guess budget (429 once
    spent), whichever kind of link it was."""
    if not plandag().guesses.allow(f"link:{client_address()}"):
        abort(429)
    return refused_page(DomainError(code), 404)


# --------------------------------------------------------------------------- core group


#: what a member's form may do: the use case, the fields it reads, what it fixes
MEMBER_WRITES: dict[str, tuple[Any, tuple[str, ...], dict[str, str]]] = {
    "comment": (service.comment_on_draft, ("draft_id", "text"), {}),
    "version": (service.add_draft_version, ("draft_id", "title", "text"), {}),
    "new_kader": (service.add_draft, ("title", "text"), {"kind": "framework"}),
}


@bp.route("/kg/<key>", methods=["GET", "POST"])
def member_page(key: str) -> Any:
    db = plandag().db
    access = service.member_by_link(db, key)
    if access is None:
        return invalid_link("party.link_invalid")
    use_meeting_language(access.language)
    error = None
    if request.method == "POST":
        form = request.form
        try:
            if form.get("action") not in MEMBER_WRITES:
                raise DomainError("payload.invalid", detail="action")
            use_case, names, fixed = MEMBER_WRITES[form["action"]]
            use_case(
                db,
                author=service.Author(member_id=access.member.id),
                process_id=access.process.id,
                client_id=form.get("client_id") or None,
                **{name: form.get(name, "") for name in names},
                **fixed,
            )
        except DomainError as exc:
            error = localize_error(exc)["message"]
        else:
            return redirect(url_for("invited.member_page", key=key) + "#drafts")
    view = service.core_view(db, access)
    status = 422 if error else 200
    return _no_referrer(
        render_template("participant/core_group.html", view=view, key=key, error=error)
    ), status


# --------------------------------------------------------------------------- invitations


@bp.route("/i/<key>", methods=["GET", "POST"])
def invitation(key: str) -> Any:
    """The personal invitation. On the day its page joins the meeting by itself (its
    script posts the form: a mail client's link preview, which runs no script, joins
    nobody); before the day it shows the invitation."""
    db = plandag().db
    found = service.invitation(db, key)
    if found is None:
        return invalid_link("process.invitation_invalid")
    meeting, person = found.meeting, found.person
    use_meeting_language(person.language)
    token = device_token()
    error = None
    # The phone it was used on (a second scan, a reload) goes straight to the meeting.
    rejoin = request.method == "GET" and token is not None and person.participant_id is not None
    if (request.method == "POST" or rejoin) and token is not None:
        try:
            _participant, changes = service.accept_invitation(db, key, token)
        except DomainError as exc:
            for change in getattr(exc, "changes", ()):  # a phone taken out again
                plandag().hub.changed(change)
            error = localize_error(exc)["message"]
        else:
            for change in changes:
                plandag().hub.changed(change)
            # the phone speaks the language of their letter (and remembers it)
            return redirect(
                url_for("participant.phone", code=meeting.join_code, lang=person.language)
            )
    on_the_day = meeting.date is None or meeting.date <= date.today()
    response = _no_referrer(
        render_template(
            "participant/invitation.html",
            meeting=meeting,
            person=person,
            key=key,
            error=error,
            on_the_day=on_the_day,
            date_text=format_date(meeting.date, "full") if meeting.date else "",
        )
    )
    if token is None:
        _new_device_cookie(response)
    return response, (409 if error else 200)
