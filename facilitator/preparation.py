"""The process's pages for its facilitators: the checklist, the core group and its
drafts, everyone involved and their conversations, information needs, invitations and
their letters, the go/no-go, retention. Forms post, then come back to the page (a
write id in each form makes a repeated post count once)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_date
from markupsafe import Markup

from shared.core.intents import Change
from shared.core.models import Meeting, User
from shared.domain import DomainError
from shared.domain.errors import N_
from shared.domain.meeting import format_join_code
from shared.domain.process import CONDITIONS, PersonStatus, State
from shared.i18n import localize_error
from shared.meeting.screens import join_url
from shared.process import service
from shared.realtime.presence import sids_of_audience
from shared.web import facilitator_page, plandag

bp = Blueprint("preparation", __name__)

STATUS_LABELS = {
    "to_contact": N_("To contact"),
    "planned": N_("Conversation planned"),
    "held": N_("Conversation held"),
    "will_take_part": N_("Will take part"),
    "will_not_take_part": N_("Will not take part"),
    "not_safe": N_("Not safe to take part"),
}
STATE_LABELS = {"met": N_("Met"), "not_met": N_("Not met"), "unknown": N_("Unknown")}
VERDICT_LABELS = {
    "go": N_("Go"),
    "no_go": N_("No-go: a condition is not met"),
    "open": N_("Not assessed yet"),
}
LOG_LABELS = {
    "process.created": N_("Preparation started"),
    "core.added": N_("Core group member added"),
    "core.link_renewed": N_("Personal link renewed"),
    "draft.settled": N_("Draft settled"),
    "person.status": N_("Status changed"),
    "conversation.recorded": N_("Conversation recorded"),
    "need.informant": N_("Informant assigned"),
    "invitation.made": N_("Invited"),
    "invitation.renewed": N_("Invitation renewed"),
    "invitation.withdrawn": N_("Invitation withdrawn (not safe)"),
    "invitation.used": N_("Invitation used on the day"),
    "go_no_go.assessed": N_("Go/no-go assessed"),
    "go_no_go.started_despite": N_("Meeting started despite a no-go"),
    "retention.date": N_("Purge date set"),
    "purged": N_("Preparation purged"),
}


def _process_id(meeting: Meeting) -> int:
    row = service.process_of_meeting(plandag().db, meeting.id)
    if row is None:
        abort(404)
    return row.id


def _form_id() -> str | None:
    return request.form.get("client_id") or None


def _form(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "") for name in names}


def form_post(rule: str, back: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A form of the preparation: a POST for the meeting's facilitators (`facilitator_page`)
    whose view calls one use case with the process's id. A refusal is flashed; a change of
    the meeting it returns goes to the hub; the browser then comes back to ``back`` on
    the process page (formatted with the route's values), or to the person's page for
    ``"person"`` (unless the form says ``back=list``). A view may return its own
    response instead (the letters after inviting)."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def run(meeting: Meeting, user: User, **route: Any) -> Any:
            try:
                result = view(meeting=meeting, user=user, process_id=_process_id(meeting), **route)
            except DomainError as exc:
                flash(localize_error(exc)["message"], "error")
                result = None
            if isinstance(result, Change):
                plandag().hub.changed(result)
            if isinstance(result, Response):
                return result
            if back == "person" and request.form.get("back") != "list":
                return redirect(url_for("preparation.person", meeting_id=meeting.id, **route))
            anchor = "#people" if back == "person" else back.format(**route)
            return redirect(url_for("preparation.process", meeting_id=meeting.id) + anchor)

        bp.post(rule)(facilitator_page(run))
        return run

    return register


def _template_globals() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "state_labels": STATE_LABELS,
        "verdict_labels": VERDICT_LABELS,
        "log_labels": LOG_LABELS,
    }


bp.app_context_processor(_template_globals)


@bp.route("/m/<meeting_id>/process", methods=["GET", "POST"])
@facilitator_page
def process(meeting: Meeting, user: User) -> Any:
    db = plandag().db
    if request.method == "POST":
        try:
            service.create_process(db, user.id, meeting.id, request.form.get("kind"))
        except DomainError as exc:
            flash(localize_error(exc)["message"], "error")
        return redirect(url_for("preparation.process", meeting_id=meeting.id))
    row = service.process_of_meeting(db, meeting.id)
    if row is None:
        kind = meeting.template if meeting.template in ("nieuwe_route", "alle_hens") else ""
        return render_template("facilitator/process_new.html", meeting=meeting, kind=kind)
    view = service.overview(db, user.id, row.id)
    return render_template(
        "facilitator/process.html",
        meeting=meeting,
        view=view,
        conditions=CONDITIONS,
        statuses=list(PersonStatus),
        states=list(State),
        today=date.today(),
    )


# --------------------------------------------------------------------------- core group


@form_post("/m/<meeting_id>/process/members", "#core-group")
def add_member(meeting: Meeting, user: User, process_id: int) -> Any:
    key = service.add_member(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        role=request.form.get("role"),
        member_user=request.form.get("user_id"),
        client_id=_form_id(),
        **_form("name", "organisation"),
    )
    if key is not None:
        flash(member_url(key), "link")


@form_post("/m/<meeting_id>/process/members/<int:member_id>/renew", "#core-group")
def renew_member(meeting: Meeting, user: User, process_id: int, member_id: int) -> Any:
    key = service.renew_member_link(
        plandag().db, user_id=user.id, process_id=process_id, member_id=member_id
    )
    flash(member_url(key), "link")


def _author(user: User) -> service.Author:
    return service.Author(user_id=user.id)


@form_post("/m/<meeting_id>/process/drafts", "#drafts")
def add_draft(meeting: Meeting, user: User, process_id: int) -> Any:
    return service.add_draft(
        plandag().db,
        author=_author(user),
        process_id=process_id,
        kind=request.form.get("kind"),
        party_member=request.form.get("member_id"),
        client_id=_form_id(),
        **_form("title", "text"),
    )


@form_post("/m/<meeting_id>/process/drafts/<int:draft_id>/versions", "#draft-{draft_id}")
def add_version(meeting: Meeting, user: User, process_id: int, draft_id: int) -> Any:
    return service.add_draft_version(
        plandag().db,
        author=_author(user),
        process_id=process_id,
        draft_id=draft_id,
        client_id=_form_id(),
        **_form("title", "text"),
    )


@form_post("/m/<meeting_id>/process/drafts/<int:draft_id>/comments", "#draft-{draft_id}")
def comment(meeting: Meeting, user: User, process_id: int, draft_id: int) -> Any:
    return service.comment_on_draft(
        plandag().db,
        author=_author(user),
        process_id=process_id,
        draft_id=draft_id,
        client_id=_form_id(),
        **_form("text"),
    )


@form_post("/m/<meeting_id>/process/drafts/<int:draft_id>/settle", "#draft-{draft_id}")
def settle(meeting: Meeting, user: User, process_id: int, draft_id: int) -> Any:
    return service.settle_draft(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        draft_id=draft_id,
        number=request.form.get("number"),
    )


# --------------------------------------------------------------------------- everyone involved

PERSON_FIELDS = ("name", "group", "organisation", "contact", "contact_by", "language")


@form_post("/m/<meeting_id>/process/people", "#people")
def add_person(meeting: Meeting, user: User, process_id: int) -> Any:
    return service.save_person(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        fields=dict(_form(*PERSON_FIELDS)),
        client_id=_form_id(),
    )


@bp.get("/m/<meeting_id>/process/people/<int:person_id>")
@facilitator_page
def person(meeting: Meeting, user: User, person_id: int) -> Any:
    try:
        detail = service.person_detail(plandag().db, user.id, _process_id(meeting), person_id)
    except DomainError:
        abort(404)
    return render_template(
        "facilitator/process_person.html",
        meeting=meeting,
        detail=detail,
        statuses=list(PersonStatus),
        today=date.today(),
    )


@form_post("/m/<meeting_id>/process/people/<int:person_id>", "person")
def save_person(meeting: Meeting, user: User, process_id: int, person_id: int) -> Any:
    return service.save_person(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        person_id=person_id,
        fields=dict(_form(*PERSON_FIELDS)),
    )


@form_post("/m/<meeting_id>/process/people/<int:person_id>/status", "person")
def status(meeting: Meeting, user: User, process_id: int, person_id: int) -> Any:
    return service.set_status(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        person_id=person_id,
        **_form("status", "reason"),
    )


def _yes_no(name: str) -> bool | None:
    return {"yes": True, "no": False}.get(request.form.get(name, ""))


@form_post("/m/<meeting_id>/process/people/<int:person_id>/conversations", "person")
def conversation(meeting: Meeting, user: User, process_id: int, person_id: int) -> Any:
    return service.record_conversation(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        person_id=person_id,
        held_on=request.form.get("held_on", ""),
        held_by=request.form.get("held_by", ""),
        concerns=request.form.get("concerns", ""),
        needs_to_know=request.form.get("needs_to_know", ""),
        agrees_to_take_part=_yes_no("take_part"),
        agrees_to_be_named=_yes_no("named"),
        client_id=_form_id(),
    )


@form_post("/m/<meeting_id>/process/people/<int:person_id>/invitation/renew", "person")
def renew_invitation(meeting: Meeting, user: User, process_id: int, person_id: int) -> Any:
    return service.renew_invitation(
        plandag().db, user_id=user.id, process_id=process_id, person_id=person_id
    )


# --------------------------------------------------------------------------- information needs


@form_post("/m/<meeting_id>/process/needs", "#needs")
def add_need(meeting: Meeting, user: User, process_id: int) -> Any:
    return service.add_need(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        raised_by=request.form.getlist("raised_by"),
        client_id=_form_id(),
        **_form("title", "text"),
    )


@form_post("/m/<meeting_id>/process/needs/<int:need_id>", "#needs")
def update_need(meeting: Meeting, user: User, process_id: int, need_id: int) -> Any:
    return service.update_need(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        need_id=need_id,
        raised_by=request.form.getlist("raised_by"),
        **_form("informant"),
    )


# --------------------------------------------------------------------------- invitations


@form_post("/m/<meeting_id>/process/invitations", "#invitations")
def invite(meeting: Meeting, user: User, process_id: int) -> Any:
    invited = service.invite(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        person_ids=request.form.getlist("person"),
    )
    if request.form.get("then") == "print" and invited:
        return redirect(
            url_for("preparation.letters", meeting_id=meeting.id, person=[str(i) for i in invited])
        )
    return None


def _qr_svg(url: str) -> Markup:
    out = io.BytesIO()
    segno.make(url, micro=False, error="m").save(
        out,
        kind="svg",
        scale=4,
        border=2,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgns=True,
        omitsize=False,
    )
    # segno's own markup around a URL it encoded: no user text reaches it unescaped
    return Markup(out.getvalue().decode("utf-8"))  # noqa: S704


def invitation_url(key: str) -> str:
    return f"{plandag().settings.base_url()}/i/{key}"


def member_url(key: str) -> str:
    """A core-group member's personal link, on the address phones reach (as the QR code
    of the room), not the one this browser happens to use."""
    return f"{plandag().settings.base_url()}/kg/{key}"


@bp.get("/m/<meeting_id>/process/letters")
@facilitator_page
def letters(meeting: Meeting, user: User) -> Any:
    """The invitation letters, one A4 page each, in each person's language: print them
    or save them as PDF from the browser's print dialog."""
    row, people = service.letters(
        plandag().db, user.id, _process_id(meeting), request.args.getlist("person")
    )
    base = plandag().settings.base_url()
    pages = []
    for p in people:
        assert p.invite_key is not None
        url = invitation_url(p.invite_key)
        with force_locale(p.language):
            pages.append(
                Markup(  # noqa: S704  a rendered template: its user text is escaped
                    render_template(
                        "facilitator/letter.html",
                        meeting=row,
                        person=p,
                        url=url,
                        qr=_qr_svg(url),
                        join_url=join_url(base, row),
                        join_code=format_join_code(row.join_code),
                        date_text=format_date(row.date, "full") if row.date else "",
                    )
                )
            )
    return render_template(
        "facilitator/letters.html",
        meeting=row,
        pages=pages,
        base=base,
        fixed_address=plandag().settings.public_url is not None,
    )


# --------------------------------------------------------------------------- go/no-go, retention


@form_post("/m/<meeting_id>/process/assessment", "#go-no-go")
def assessment(meeting: Meeting, user: User, process_id: int) -> Any:
    form = request.form
    entries = {
        c.key: (form.get(f"state-{c.key}", "unknown"), form.get(f"note-{c.key}", ""))
        for c in CONDITIONS
        if f"state-{c.key}" in form
    }
    return service.assess(plandag().db, user_id=user.id, process_id=process_id, entries=entries)


@form_post("/m/<meeting_id>/process/retention", "#retention")
def retention(meeting: Meeting, user: User, process_id: int) -> Any:
    return service.set_purge_date(
        plandag().db,
        user_id=user.id,
        process_id=process_id,
        day=request.form.get("purge_after", ""),
    )


@form_post("/m/<meeting_id>/process/purge", "#retention")
def purge(meeting: Meeting, user: User, process_id: int) -> Any:
    app = plandag()
    change = service.purge(
        app.db,
        user_id=user.id,
        process_id=process_id,
        typed_title=request.form.get("confirm_title", ""),
    )
    # The beamer's and the parties' keys changed: their open screens close now.
    app.hub.revoke_room(meeting.id, "beamer", sids_of_audience(app.db, meeting.id, "beamer"))
    flash("purged", "purged")
    return change
