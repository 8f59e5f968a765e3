"""After the day, for the people who took part and for anyone: the sealed plan's page
(the phone they joined with is their key, or a personal link from the facilitator),
its .ics, and the public pages of published plans (an index, each plan, a JSON feed).

The plan page is a server-rendered page with forms (nothing realtime after the day); the
service worker keeps its last copy, so a phone without network shows the last loaded
state with its time (static/js/plan.js)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from shared.aftercare import service
from shared.aftercare.service import Viewer
from shared.domain import DomainError
from shared.domain.meeting import normalize_join_code
from shared.i18n import localize_error, use_meeting_language
from shared.meeting.service import meeting_by_code, participant_by_device
from shared.web import calendar_response, plan_response, plandag, refused_page

from .pages import device_token
from .preparation import invalid_link

bp = Blueprint("plan", __name__)

#: what a participant's form may do: the use case and the fields it reads
PLAN_WRITES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "status": (service.update_status, ("agreement_id", "status", "note")),
    "signal": (service.signal, ("agreement_id", "reason")),
}


def _refused(code: str, status: int) -> Any:
    return refused_page(DomainError(code), status)


def _device_viewer(code: str) -> Viewer | None:
    found = meeting_by_code(plandag().db, normalize_join_code(code[:40]))
    token = device_token()
    if found is None or token is None:
        return None
    person = participant_by_device(plandag().db, found.row.id, token)
    if person is None or person.removed_at is not None:
        return None
    return Viewer(found.row.id, participant_id=person.id)


def _post(viewer: Viewer, here: str, calendar: str) -> Any:
    form = request.form
    try:
        if form.get("action") not in PLAN_WRITES:
            raise DomainError("payload.invalid", detail="action")
        use_case, names = PLAN_WRITES[form["action"]]
        use_case(
            plandag().db,
            viewer=viewer,
            client_id=form.get("client_id") or None,
            **{name: form.get(name, "") for name in names},
        )
    except DomainError as exc:
        return plan_response(
            viewer, here=here, calendar=calendar, status=422, error=localize_error(exc)["message"]
        )
    # ?saved=: the page that comes back confirms this write (static/js/forms.js)
    saved = f"?saved={quote(form.get('client_id', ''), safe='')}" if form.get("client_id") else ""
    return redirect(f"{here}{saved}#agreement-{form.get('agreement_id', '')}", code=303)


@bp.route("/j/<code>/plan", methods=["GET", "POST"])
def by_device(code: str) -> Any:
    """The plan page on the phone the person joined with."""
    viewer = _device_viewer(code)
    if viewer is None:
        return _refused("aftercare.no_access", 403)
    here = url_for("plan.by_device", code=code)
    calendar = url_for("plan.device_calendar", code=code)
    if request.method == "POST":
        return _post(viewer, here, calendar)
    return plan_response(viewer, here=here, calendar=calendar)


@bp.route("/plan/<key>", methods=["GET", "POST"])
def by_link(key: str) -> Any:
    """The plan page by a personal link (a lost phone, a new one)."""
    viewer = service.viewer_by_key(plandag().db, key)
    if viewer is None:
        return invalid_link("party.link_invalid")
    here = url_for("plan.by_link", key=key)
    calendar = url_for("plan.link_calendar", key=key)
    if request.method == "POST":
        return _post(viewer, here, calendar)
    return plan_response(viewer, here=here, calendar=calendar)


@bp.get("/j/<code>/plan.ics")
def device_calendar(code: str) -> Any:
    viewer = _device_viewer(code)
    if viewer is None:
        return _refused("aftercare.no_access", 403)
    base = plandag().settings.base_url()
    return calendar_response(viewer, f"{base}{url_for('plan.by_device', code=code)}")


@bp.get("/plan/<key>/plan.ics")
def link_calendar(key: str) -> Any:
    viewer = service.viewer_by_key(plandag().db, key)
    if viewer is None:
        return invalid_link("party.link_invalid")
    # The personal link is a secret: a calendar (often synced, shared) does not carry it.
    return calendar_response(viewer, "")


# --------------------------------------------------------------------------- public


@bp.get("/plans")
def published_index() -> Any:
    """Every plan published on this server."""
    return render_template(
        "participant/published_index.html", plans=service.published_index(plandag().db)
    )


@bp.get("/plans/<public_id>")
def published(public_id: str) -> Any:
    plan = service.published_plan(plandag().db, public_id)
    if plan is None:
        return _refused("publication.not_published", 404)
    use_meeting_language(plan["language"])
    return render_template("participant/published.html", plan=plan)


@bp.get("/plans.json")
def published_feed() -> Any:
    """The published plans as JSON (newest first): what the public pages show."""
    base = plandag().settings.base_url()
    items = []
    for plan in service.published_index(plandag().db):
        items.append(
            {
                "url": f"{base}{url_for('plan.published', public_id=plan['public_id'])}",
                **{k: v for k, v in plan.items() if k != "public_id"},
            }
        )
    response = jsonify({"version": 1, "plans": items})
    # a withdrawn plan leaves the feed at once
    response.headers["Cache-Control"] = "no-cache"
    return response
