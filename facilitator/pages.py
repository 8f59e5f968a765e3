"""Console pages: login, meetings, preparation, the console and the beamer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge

from shared import plandoc
from shared.accounts.service import (
    authenticate,
    change_password,
    check_setup_token,
    end_sessions,
    redeem_setup_token,
    user_count,
)
from shared.aftercare.service import due_evaluations, signal_summary
from shared.core.errors import status_of
from shared.core.models import Meeting, User
from shared.domain import DomainError, MeetingDetails
from shared.domain.meeting import format_join_code
from shared.domain.phases import WORK_PHASES
from shared.i18n import localize_error, use_meeting_language
from shared.meeting.screens import beamer_url, join_url
from shared.meeting.service import (
    add_cofacilitator,
    check_beamer_key,
    create_meeting,
    facilitators_of,
    list_meetings,
    renew_beamer_key,
    update_meeting,
)
from shared.plandoc.sandbox import verify_isolated
from shared.process.service import settled_statement, start_summary
from shared.realtime.presence import console_sids_of_user, sids_of_audience
from shared.signing import service as signing
from shared.signing.documents import plan_file
from shared.signing.verification import localized
from shared.web import (
    client_address,
    csrf_exempt,
    current_user,
    facilitator_page,
    guess_budget_spent,
    login_required,
    plandag,
    spend_guess,
    start_session,
)

bp = Blueprint("facilitator", __name__)

DEFAULT_GROUPS = ["Bewoners", "Gemeente", "Jongeren", "Professionals"]
#: the largest document /verify reads
VERIFY_MAX_BYTES = 20 * 1024 * 1024


def _safe_next(target: str | None) -> str:
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("facilitator.meetings")


@bp.get("/")
def home() -> Any:
    if current_user() is not None:
        return redirect(url_for("facilitator.meetings"))
    return render_template("home.html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        app = plandag()
        email = request.form.get("email", "").strip().lower()[:254]
        # Only failures count, per address and per account: a hall behind one address
        # is not locked out by its facilitators logging in, and guessing one account's
        # password from many addresses still stops.
        by_address, by_account = f"login:{client_address()}", f"login:{email}"
        try:
            if app.guesses.exceeded(by_address) or app.logins.exceeded(by_account):
                raise DomainError("rate.limited")
            try:
                user = authenticate(
                    app.db, email, request.form.get("password", ""), run=app.offload
                )
            except DomainError:
                app.guesses.hit(by_address)
                app.logins.hit(by_account)
                raise
        except DomainError as exc:
            error = localize_error(exc)["message"]
        else:
            app.logins.reset(by_account)
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
    no_accounts = user_count(plandag().db) == 0
    return render_template(
        "facilitator/login.html",
        error=error,
        email=request.form.get("email", ""),
        no_accounts=no_accounts,
    ), (401 if error else 200)


def _close_consoles(user_id: int) -> None:
    """Console sockets of this facilitator (every device) close; a reconnect needs a
    session that was not ended."""
    app = plandag()
    for sid in console_sids_of_user(app.db, user_id):
        app.hub.disconnect(sid)


@bp.post("/logout")
def logout() -> Any:
    user = current_user()
    session.clear()
    if user is not None:
        # Logging out ends every session of this account, on every device, and any
        # copy of its cookie: an open console must not outlive its login.
        end_sessions(plandag().db, user.id)
        _close_consoles(user.id)
    return redirect(url_for("facilitator.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_view() -> Any:
    user = current_user()
    assert user is not None
    error = None
    if request.method == "POST":
        app = plandag()
        by_address, by_account = f"login:{client_address()}", f"login:{user.email}"
        try:
            if app.guesses.exceeded(by_address) or app.logins.exceeded(by_account):
                raise DomainError("rate.limited")
            new = request.form.get("password", "")
            if new != request.form.get("repeat", ""):
                raise DomainError("user.password_mismatch")
            try:
                epoch = change_password(
                    app.db, user.id, request.form.get("current", ""), new, run=app.offload
                )
            except DomainError as exc:
                if exc.code == "auth.password_wrong":
                    app.guesses.hit(by_address)
                    app.logins.hit(by_account)
                raise
        except DomainError as exc:
            error = localize_error(exc)["message"]
        else:
            # Every other session of this account ends; this one carries on.
            _close_consoles(user.id)
            start_session(user, epoch)
            return redirect(url_for("facilitator.change_password_view", changed=1))
    return render_template(
        "facilitator/password.html", error=error, changed=bool(request.args.get("changed"))
    ), (422 if error else 200)


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> Any:
    db = plandag().db
    error = None
    if request.method == "POST":
        try:
            user = redeem_setup_token(
                db,
                token,
                request.form.get("email", ""),
                request.form.get("name", ""),
                request.form.get("password", ""),
            )
        except DomainError as exc:
            error = localize_error(exc)["message"]
        else:
            start_session(user)
            return redirect(url_for("facilitator.meetings"))
    else:
        try:
            check_setup_token(db, token)
        except DomainError as exc:
            return render_template(
                "facilitator/setup.html", invalid=localize_error(exc)["message"]
            ), 410
    return render_template("facilitator/setup.html", error=error, form=request.form)


@bp.get("/meetings")
@login_required
def meetings() -> Any:
    user = current_user()
    assert user is not None
    rows = list_meetings(plandag().db, user.id)
    return render_template(
        "facilitator/meetings.html",
        meetings=rows,
        format_code=format_join_code,
        evaluations=due_evaluations(plandag().db, user.id),
    )


def _details_from_form() -> MeetingDetails:
    form = request.form
    return MeetingDetails.from_input(
        title=form.get("title", ""),
        template=form.get("template", ""),
        custom_phases=form.getlist("phases"),
        groups=form.get("groups", "").splitlines(),
        open_question=form.get("open_question", ""),
        issue_statement=form.get("issue_statement", ""),
        place=form.get("place", ""),
        date_text=form.get("date", ""),
        language=form.get("language", "nl"),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting() -> Any:
    user = current_user()
    assert user is not None
    error = None
    if request.method == "POST":
        try:
            row = create_meeting(plandag().db, user.id, _details_from_form())
        except DomainError as exc:
            error = localize_error(exc)["message"]
        else:
            return redirect(url_for("facilitator.console", meeting_id=row.id))
    values = (
        request.form
        if request.method == "POST"
        else {
            "template": "nieuwe_route",
            "groups": "\n".join(DEFAULT_GROUPS),
            # The room is Dutch unless the facilitator says otherwise, whatever language
            # the facilitator's own browser speaks.
            "language": "nl",
        }
    )
    return render_template(
        "facilitator/meeting_form.html",
        error=error,
        values=values,
        work_phases=WORK_PHASES,
        chosen=request.form.getlist("phases") if request.method == "POST" else [],
        editing=None,
    ), (422 if error else 200)


@bp.route("/m/<meeting_id>/edit", methods=["GET", "POST"])
@facilitator_page
def edit_meeting(meeting: Meeting, user: User) -> Any:
    row, meeting_id = meeting, meeting.id
    error = None
    if request.method == "POST":
        try:
            change = update_meeting(plandag().db, user.id, meeting_id, _details_from_form())
        except DomainError as exc:
            error = localize_error(exc)["message"]
        else:
            plandag().hub.changed(change)
            return redirect(url_for("facilitator.console", meeting_id=meeting_id))
    if request.method == "POST":
        values: Any = request.form
        chosen = request.form.getlist("phases")
    else:
        values = {
            "title": row.title,
            "template": row.template,
            "groups": "\n".join(row.groups),
            "open_question": row.open_question,
            "issue_statement": row.issue_statement,
            "place": row.place,
            "date": row.date.isoformat() if row.date else "",
            "language": row.language,
        }
        chosen = list(row.phases)
    return render_template(
        "facilitator/meeting_form.html",
        error=error,
        values=values,
        work_phases=WORK_PHASES,
        chosen=chosen,
        editing=row,
        settled_statement=settled_statement(plandag().db, meeting_id),
    ), (422 if error else 200)


@bp.get("/m/<meeting_id>")
@facilitator_page
def console(meeting: Meeting, user: User) -> Any:
    row, meeting_id = meeting, meeting.id
    base = plandag().settings.base_url()
    return render_template(
        "facilitator/console.html",
        meeting=row,
        join_url=join_url(base, row),
        beamer_url=beamer_url(base, row),
        join_code=format_join_code(row.join_code),
        facilitators=facilitators_of(plandag().db, meeting_id),
        pdf_available=plandoc.soffice_path() is not None,
        preparation=start_summary(plandag().db, meeting_id),
        after=signal_summary(plandag().db, meeting_id),
    )


@bp.post("/m/<meeting_id>/facilitators")
@facilitator_page
def add_facilitator(meeting: Meeting, user: User) -> Any:
    meeting_id = meeting.id
    try:
        other = add_cofacilitator(plandag().db, user.id, meeting_id, request.form.get("email", ""))
    except DomainError as exc:
        flash(localize_error(exc)["message"], "error")
    else:
        flash(other.name, "added")
    return redirect(url_for("facilitator.console", meeting_id=meeting_id) + "#team")


@bp.post("/m/<meeting_id>/beamer/renew")
@facilitator_page
def renew_beamer(meeting: Meeting, user: User) -> Any:
    meeting_id = meeting.id
    app = plandag()
    app.hub.changed(renew_beamer_key(app.db, user.id, meeting_id))
    app.hub.revoke_room(meeting_id, "beamer", sids_of_audience(app.db, meeting_id, "beamer"))
    return redirect(url_for("facilitator.console", meeting_id=meeting_id) + "#beamer")


@bp.get("/beamer/<meeting_id>")
def beamer(meeting_id: str) -> Any:
    key = request.args.get("key", "")
    # A wrong key spends the same guess budget as an unknown join code; once it is spent,
    # no key is looked up, the right one included.
    if guess_budget_spent():
        error = localize_error(DomainError("rate.limited"))
        return render_template("error.html", code=429, name=error["message"]), 429
    try:
        row = check_beamer_key(plandag().db, meeting_id, key)
    except DomainError as exc:
        spend_guess()
        return render_template("error.html", code=403, name=localize_error(exc)["message"]), 403
    use_meeting_language(row.language, room_screen=True)
    base = plandag().settings.base_url()
    return render_template(
        "facilitator/beamer.html",
        meeting=row,
        key=key,
        join_url=join_url(base, row),
        join_code=format_join_code(row.join_code),
    )


# --------------------------------------------------------------------------- the plan document


@bp.get("/m/<meeting_id>/plan.<any(docx, pdf):kind>")
@facilitator_page
def plan_download(meeting: Meeting, user: User, kind: str) -> Any:
    """The sealed plan, rendered once (shared/signing/documents.py) and then cached."""
    app = plandag()
    try:
        document = plan_file(
            app.db,
            meeting.id,
            meeting.title,
            kind,
            instance_dir=app.settings.instance_dir,
            verify_url=f"{app.settings.base_url()}/verify",
            pkcs12=app.settings.pkcs12(),
            offload=app.offload,
        )
    except DomainError as exc:
        status = status_of(exc)
        return render_template(
            "error.html", code=status, name=localize_error(exc)["message"]
        ), status
    response = Response(document.data, mimetype=document.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/verify", methods=["GET", "POST"])
@csrf_exempt  # anyone may upload a document, logged in or not
def verify() -> Any:
    """Anyone uploads a plan document (.docx or .pdf) and sees whether it is valid."""
    app = plandag()
    key = signing.server_key(app.settings.instance_dir)
    result, too_large = None, False
    if request.method == "POST" and not app.guesses.allow(f"verify:{client_address()}"):
        return render_template(
            "error.html", code=429, name=localize_error(DomainError("rate.limited"))["message"]
        ), 429
    if request.method == "POST":
        request.max_content_length = VERIFY_MAX_BYTES + 64 * 1024
        try:
            upload = request.files.get("document")
        except RequestEntityTooLarge:
            too_large = True
        else:
            data = upload.read(VERIFY_MAX_BYTES + 1) if upload is not None else b""
            # never parsed here: a child process with a memory and a time limit checks it,
            # one upload at a time, while this process keeps serving the room
            result = verify_isolated(
                data, key.public_key_b64, key.certificate, [f"{app.settings.base_url()}/verify"]
            )
    status = 413 if too_large else 200
    if result is not None and result.error_code in ("busy", "timeout"):
        status = 503
    return render_template(
        "verify.html",
        result=result,
        words=None if result is None else localized(result),
        too_large=too_large,
        max_mb=VERIFY_MAX_BYTES // (1024 * 1024),
        public_key=key.public_key_b64,
        key_id=key.key_id,
    ), status
