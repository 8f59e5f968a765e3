"""After the day, for the meeting's facilitators: the plan page with their own forms
(name the people of each agreement and those who reconvene, give a personal link, update
a status), meetings made from the plan (to reconvene, to evaluate), and publication (a
preview, publish after the room consented, withdraw). Forms post, then come back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext

from shared.aftercare import service
from shared.aftercare.service import Viewer, Wording
from shared.core.models import Meeting, User
from shared.domain import DomainError
from shared.domain.aftercare import FollowKind, validate_kind
from shared.i18n import localize_error, use_meeting_language
from shared.web import calendar_response, facilitator_page, plan_response, plandag

bp = Blueprint("aftercare", __name__)


def _here(meeting: Meeting) -> str:
    return url_for("aftercare.plan", meeting_id=meeting.id)


@bp.get("/m/<meeting_id>/after")
@facilitator_page
def plan(meeting: Meeting, user: User) -> Any:
    return plan_response(
        Viewer(meeting.id, user_id=user.id),
        here=_here(meeting),
        calendar=url_for("aftercare.calendar", meeting_id=meeting.id),
    )


@bp.get("/m/<meeting_id>/after/plan.ics")
@facilitator_page
def calendar(meeting: Meeting, user: User) -> Any:
    return calendar_response(
        Viewer(meeting.id, user_id=user.id),
        f"{plandag().settings.base_url()}{url_for('aftercare.plan', meeting_id=meeting.id)}",
    )


def form_post(rule: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A form of the plan page: a POST for the meeting's facilitators whose view calls one
    use case. A refusal is flashed; the browser comes back to the plan page (at the
    anchor the view returns), or goes where the view's response says."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def run(meeting: Meeting, user: User) -> Any:
            refused = False
            try:
                result = view(meeting=meeting, user=user)
            except DomainError as exc:
                flash(localize_error(exc)["message"], "error")
                result, refused = "#top", True
            if isinstance(result, str):
                # ?saved=: the page that comes back confirms this write (forms.js)
                sent = request.form.get("client_id", "")
                saved = f"?saved={quote(sent, safe='')}" if sent and not refused else ""
                return redirect(_here(meeting) + saved + result, code=303)
            return result

        bp.post(rule, endpoint=view.__name__)(facilitator_page(run))
        return run

    return register


@form_post("/m/<meeting_id>/after/status")
def status(meeting: Meeting, user: User) -> str:
    form = request.form
    service.update_status(
        plandag().db,
        viewer=Viewer(meeting.id, user_id=user.id),
        agreement_id=form.get("agreement_id", ""),
        status=form.get("status", ""),
        note=form.get("note", ""),
        client_id=form.get("client_id") or None,
    )
    return f"#agreement-{form.get('agreement_id', '')}"


@form_post("/m/<meeting_id>/after/name")
def name(meeting: Meeting, user: User) -> str:
    form = request.form
    service.name_person(
        plandag().db,
        user_id=user.id,
        meeting_id=meeting.id,
        participant_id=form.get("participant_id", ""),
        duty=form.get("duty", ""),
        agreement_id=form.get("agreement_id") or None,
        named=form.get("named", "1") == "1",
    )
    about = form.get("agreement_id")
    return f"#agreement-{about}" if about else "#reconvene"


@form_post("/m/<meeting_id>/after/link")
def personal_link(meeting: Meeting, user: User) -> str:
    key = service.make_plan_link(
        plandag().db,
        user_id=user.id,
        meeting_id=meeting.id,
        participant_id=request.form.get("participant_id", ""),
    )
    flash(f"{plandag().settings.base_url()}{url_for('plan.by_link', key=key)}", "link")
    return "#people"


@form_post("/m/<meeting_id>/after/meeting")
def follow_up(meeting: Meeting, user: User) -> Any:
    """A meeting made from the plan, in one step; the browser goes to its console."""
    form = request.form
    kind = validate_kind(form.get("kind", ""))
    chosen = form.getlist("agreement_id")
    with force_locale(meeting.language):
        if kind is FollowKind.EVALUATION:
            wording = Wording(
                title=gettext("Evaluation: {title}"),
                issue_statement=gettext(
                    "We evaluate the plan \u201c{title}\u201d: per agreement, what went "
                    "well and what needs to change. Changes are decided by consent."
                ),
                open_question=gettext(
                    "What went well, what needs to change, and what do we agree now?"
                ),
                prompt=gettext(
                    "Agreement {number}, {title}: what went well, what needs to change?"
                ),
                signals_title=gettext("Signals on agreement {number}: {title}"),
            )
        else:
            wording = Wording(
                title=gettext("Reconvene: {title}"),
                issue_statement=gettext(
                    "Some agreements of the plan \u201c{title}\u201d are not working, as "
                    "people signalled. We meet again to find what does work and decide it by "
                    "consent."
                ),
                open_question=gettext("What does work, and what do we agree now?"),
                prompt="",
                signals_title=gettext("Signals on agreement {number}: {title}"),
            )
    new_id = service.create_from_plan(
        plandag().db,
        user_id=user.id,
        meeting_id=meeting.id,
        kind=kind,
        agreement_ids=chosen,
        wording=wording,
        client_id=form.get("client_id") or None,
    )
    return redirect(url_for("facilitator.console", meeting_id=new_id), code=303)


@bp.get("/m/<meeting_id>/after/preview")
@facilitator_page
def preview(meeting: Meeting, user: User) -> Any:
    """The public page as publishing would show it (nothing is published)."""
    plan = service.publication_preview(plandag().db, user_id=user.id, meeting_id=meeting.id)
    use_meeting_language(plan["language"])
    return render_template("participant/published.html", plan=plan, preview=True)


@form_post("/m/<meeting_id>/after/publish")
def publish(meeting: Meeting, user: User) -> str:
    if request.form.get("checked") != "yes":
        raise DomainError("publication.confirm")
    service.publish(plandag().db, user_id=user.id, meeting_id=meeting.id)
    return "#publication"


@form_post("/m/<meeting_id>/after/withdraw")
def withdraw(meeting: Meeting, user: User) -> str:
    if request.form.get("checked") != "yes":
        raise DomainError("publication.confirm_withdraw")
    service.withdraw(plandag().db, user_id=user.id, meeting_id=meeting.id)
    return "#publication"
