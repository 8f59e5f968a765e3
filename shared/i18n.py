"""Language: Dutch by default; English, Arabic, Turkish or Polish on request
(``?lang=ar``, remembered in a cookie) or by the browser's preference. Source strings
are English. A meeting's shared texts stay in the meeting's language (Dutch or English);
a person's screens speak the person's language."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import g, request
from flask_babel import force_locale, get_locale, gettext, ngettext, refresh

from shared.core.errors import ALL_MESSAGES
from shared.domain.errors import N_, DomainError
from shared.domain.meeting import SCREEN_LANGUAGES


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a text with a count for translation (both forms), without translating it."""
    return singular, plural


#: the languages a screen can speak, in the order a person is offered them
LANGUAGES = SCREEN_LANGUAGES
DEFAULT = "nl"
LANG_COOKIE = "plandag_lang"
#: written right to left
RTL = frozenset({"ar"})
#: catalogs no native speaker has reviewed yet (the language menu and README say so)
AWAITING_REVIEW = frozenset({"ar", "tr", "pl"})


#: each language's name in itself, for the language menu (written out: asking Babel would
#: load every language's locale data into every worker, about 5 MB, for five words)
ENDONYMS = {"nl": "Nederlands", "en": "English", "ar": "العربية", "tr": "Türkçe", "pl": "Polski"}


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name: in its own language (the menu), or in another one (from that
    language's locale data only, which its pages load anyway)."""
    if in_language in (None, code) and code in ENDONYMS:
        return ENDONYMS[code]
    try:
        name = Locale.parse(in_language or code).languages.get(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def language_names() -> tuple[tuple[str, str], ...]:
    """(code, name in its own language) for the language menu."""
    return tuple((code, ENDONYMS[code]) for code in LANGUAGES)


def text_direction(code: str | None) -> str:
    return "rtl" if code in RTL else "ltr"


PHASE_LABELS = {
    "welcome": N_("Welcome"),
    "framing": N_("Framing"),
    "sharing": N_("Sharing"),
    "proposals": N_("Proposals"),
    "consent": N_("Consent"),
    "framework_check": N_("Framework check"),
    "signing": N_("Signing"),
    "closed": N_("Closed"),
}

#: What the beamer says under the phase title.
BEAMER_LEADS = {
    "welcome": N_("Scan the QR code with your phone to join."),
    "framing": N_("What is this about, and within which limits do we work?"),
    "sharing": N_("What happened, and what did it do to you?"),
    "proposals": N_("What could we do?"),
    "consent": N_("Can everyone live with this?"),
    "framework_check": N_("Does the plan fit the frameworks?"),
    "signing": N_("Everyone signs the plan."),
    "closed": N_("Thank you for taking part."),
}

#: What a phone tells its holder to do now.
PHONE_TASKS = {
    "welcome": N_("You are in. The meeting starts soon: keep this page open."),
    "framing": N_("Listen to the issue statement and the frameworks. You can read them here."),
    "sharing": N_("Share what happened and what it did to you."),
    "proposals": N_("Think along: what could we do?"),
    "consent": N_("Say whether you can live with each proposal."),
    "framework_check": N_("The framework parties test the plan against the frameworks."),
    "signing": N_("Read the plan and sign it."),
    "closed": N_("The meeting has ended. Thank you for taking part."),
}

#: What a framework party's screen tells its representative to do now.
PARTY_TASKS = {
    "welcome": N_(
        "Write and check your party's frameworks with the facilitator, who locks them before "
        "the meeting."
    ),
    "framing": N_(
        "The frameworks are presented to the room; people can read them on their phones."
    ),
    "sharing": N_("Listen: people share what happened and what it did to them."),
    "proposals": N_("Flag a proposal that may conflict with one of your frameworks, with a note."),
    "consent": N_("Proposals are tested for consent. Flag a possible conflict before its round."),
    "framework_check": N_(
        "Check every agreement against your frameworks: it fits, or it does not fit (explain why)."
    ),
    "signing": N_("Read the plan and sign your check."),
    "closed": N_("The meeting has ended. Thank you for taking part."),
}

#: Words the scripts need for the kaders, on every screen.
KADER_UI = {
    "agreement_col": N_("Agreement"),
    "draft": N_("draft, not locked yet"),
    "locked": N_("locked"),
    "version_n": N_("version {n}"),
    "changed_after_lock": N_("changed after the lock"),
    "from_party": N_("from {party}"),
    "facilitators": N_("set by the facilitators"),
    "new": N_("New framework"),
    "edit": N_("Edit framework"),
    "delete": N_("Delete"),
    "confirm_delete": N_("Delete the draft framework '{title}'?"),
    "none": N_("No frameworks yet."),
    "lock": N_("Lock the frameworks"),
    "confirm_lock": N_(
        "Lock the frameworks? The room then sees them, and any later change is a new version "
        "in the record."
    ),
    "kader_n_of": N_("Framework {n} of {total}"),
    "kaders": N_("Frameworks"),
    "party": N_("Party"),
    "no_party": N_("(the facilitators)"),
    "history": N_("Earlier versions"),
    "fits": N_("Fits"),
    "does_not_fit": N_("Does not fit"),
    "not_checked": N_("not checked yet"),
    "explanation": N_("Explanation (required when it does not fit)"),
    "check_saved": N_("Recorded."),
    "progress": N_("{done} of {total} checks recorded"),
    "status_unchanged": N_("Every agreement fits every framework: the plan goes ahead unchanged."),
    "status_changes_needed": N_("Not every agreement fits the frameworks."),
    "status_incomplete": N_("The check is being filled in."),
    "status_none": N_("There is nothing to check: no frameworks or no agreements."),
    "your_kaders": N_("Your frameworks"),
    "other_kaders": N_("Checked by another party"),
    "flag": N_("Flag a possible conflict"),
    "flag_note": N_("How may it conflict?"),
    "which_kader": N_("With which framework?"),
    "flagged": N_("May conflict with framework {n}: {title}"),
    "flagged_by": N_("flagged by {who}"),
    "by_facilitator": N_("the facilitator"),
    "remove_flag": N_("Remove flag"),
    "recorded_by": N_("recorded by {who}"),
    "on_behalf": N_("recorded by the facilitator on behalf of {party}"),
    "stale": N_("given on an earlier version of the framework: check again"),
    "followups": N_("Follow-up agreements"),
    "followup_what": N_("What is done"),
    "followup_who": N_("Who does it"),
    "followup_when": N_("By when"),
    "followup_about": N_("About agreement"),
    "general": N_("(the plan as a whole)"),
    "add_followup": N_("Record follow-up agreement"),
    "no_followups": N_("No follow-up agreements yet."),
    "invite": N_("Invite"),
    "party_name": N_("Name of the party (e.g. the municipality)"),
    "copy": N_("Copy"),
    "copied": N_("Copied"),
    "representative": N_("Representative: {name}"),
    "link_unused": N_("The link has not been used yet."),
    "device_waiting": N_("Another device asks to use this link."),
    "allow": N_("Allow"),
    "refuse": N_("Refuse"),
    "renew_link": N_("New link"),
    "confirm_renew": N_(
        "Make a new personal link? The old link stops working for devices not yet allowed."
    ),
    "no_parties": N_("No framework parties invited yet."),
    "record": N_("Record"),
    "agreement_n": N_("Agreement {n}"),
    "go_ahead": N_("The plan goes ahead unchanged"),
    "not_fitting_title": N_("Does not fit the frameworks"),
    "check_title": N_("The plan against the frameworks"),
    "cancel": N_("Cancel"),
    "renew_title": N_("A new personal link for {party}?"),
    "delete_final": N_("The draft is deleted; this cannot be undone."),
    "lock_count": N_("Frameworks to lock: {n}."),
}

#: Words the scripts need for signing.
SIGNING_UI = {
    "you_signed": N_("You signed the plan as {name}."),
    "plan_changed": N_("The plan changed after you answered. Read it again and sign again."),
    "you_declined": N_("You did not sign the plan ({name})."),
    "closed": N_("Signing is closed. The plan is sealed: fingerprint {fingerprint}."),
    "signed_of": N_("{signed} of {eligible} signed"),
    "not_yet": N_("not yet"),
    "signed": N_("signed"),
    "declined": N_("did not sign"),
    "close": N_("Close signing and seal the plan"),
    "confirm_close": N_(
        "Close signing? Nobody can sign after this, and the plan document is sealed."
    ),
    "download_docx": N_("Download the plan (.docx)"),
    "download_pdf": N_("Download the signed PDF"),
    "verify": N_("Verify a document"),
    "close_title": N_("Close signing and seal the plan?"),
    "close_missing": N_("{n} people who could sign have not answered: they can no longer sign."),
    "signed_as": N_("signed as {name}"),
}

TEMPLATE_LABELS = {
    "alle_hens": N_("Alle Hens conference"),
    "nieuwe_route": N_("Nieuwe Route plan meeting"),
    "custom": N_("Custom process"),
}

ROLE_LABELS = {
    "participant": N_("Participant"),
    "informant": N_("Informant"),
    "framework_party": N_("Framework party"),
    "observer": N_("Observer"),
}

#: Words the three screens' scripts need.
UI = {
    "connecting": N_("Connecting…"),
    "offline": N_("Connection lost. Reconnecting…"),
    "online": N_("Connected"),
    "question_waiting": N_("A question is waiting for you: {title}"),
    "pages_paused": N_("paused (P turns the pages again)"),
    "queue_status": N_("Speaking queue: {n} waiting; speaking now: {who}"),
    "person_online": N_("online"),
    "person_offline": N_("not connected"),
    "phase_now": N_("The meeting is now in the phase: {phase}"),
    "room_languages": N_("Languages in the room: {list}"),
    "interpretation_hint": N_(
        "Some people read their phone in another language than the meeting's. Arrange "
        "interpretation for what is said aloud."
    ),
    "phase_n_of": N_("Phase {n} of {total}"),
    "advance_to": N_("Next: {phase}"),
    "back_to": N_("Back to {phase}"),
    "confirm_remove": N_("Remove {name} from this meeting? Their phone is disconnected."),
    "removed": N_("removed"),
    "beamer_revoked": N_("This beamer link was renewed. Open the new link from the console."),
    "no_participants": N_("Nobody has joined yet."),
    "role": N_("Role of"),
    "remove": N_("Remove"),
    "edit": N_("Edit"),
    "withdraw": N_("Withdraw"),
    "confirm_withdraw": N_("Withdraw this contribution? It disappears from the wall."),
    "save": N_("Save"),
    "share": N_("Share"),
    "shared": N_("Shared. You can write more."),
    "saved": N_("Saved."),
    "status_pending": N_("waiting for the facilitator"),
    "status_visible": N_("on the wall"),
    "status_hidden": N_("hidden by the facilitator"),
    "answer_saved": N_("Your answer is saved. You can change it while the question is open."),
    "answer_closed": N_("This question is closed."),
    "pick_answer": N_("Choose yes, partly or no."),
    "queue_waiting": N_("You are number {n} in the queue."),
    "queue_speaking": N_("You have the floor."),
    "round_now": N_("It is your turn now."),
    "anonymous": N_("anonymous"),
    "more_on_wall": N_("+ {n} more"),
    "no_theme": N_("No theme"),
    "approve": N_("Approve"),
    "hide": N_("Hide"),
    "spotlight": N_("Spotlight"),
    "unspotlight": N_("End spotlight"),
    "show_on_beamer": N_("Show on beamer"),
    "hide_from_beamer": N_("Take off beamer"),
    "give_floor": N_("Give the floor"),
    "finish_floor": N_("Done"),
    "queue_empty": N_("Nobody is waiting to speak."),
    "turn": N_("Turn"),
    "speaking_now": N_("Speaking now"),
    "next_up": N_("Next"),
    "recognition_yes": N_("Yes"),
    "recognition_partly": N_("Partly"),
    "recognition_no": N_("No"),
    "version_n": N_("version {n}"),
    "open_check": N_("Ask the room"),
    "close_check": N_("Close the question"),
    "check_closed": N_("closed"),
    "rename": N_("Rename"),
    "your_table": N_("Your table: {name}"),
    "table_n": N_("Table {name}"),
    "host_is": N_("Host: {name}"),
    "you_are_host": N_("You are the host: you write your table's proposals."),
    "no_host_yet": N_("The facilitator names a host for each table."),
    "choose_table": N_("Choose your table"),
    "four_years": N_("Where should this stand in four years, and what is the route there?"),
    "proposal_sent": N_("Your proposal is on the list."),
    "voting_open_simple": N_("Voting is open. Tap the proposals you support."),
    "voting_closed": N_("Voting is closed."),
    "support_add": N_("Support"),
    "support_remove": N_("Take back"),
    "withdrawn_because": N_("Withdrawn: {reason}"),
    "shortlist": N_("To consent"),
    "apply": N_("Apply"),
    "open_voting": N_("Open voting"),
    "close_voting": N_("Close voting"),
    "split": N_("Split into tables"),
    "plenary": N_("Back to plenary"),
    "host": N_("Host"),
    "to_proposal": N_("→ proposal"),
    "merge_into": N_("Merge into…"),
    "withdraw_reason": N_("Why is this proposal withdrawn? The room sees the reason."),
    "add_shortlist": N_("+ shortlist"),
    "remove_shortlist": N_("− shortlist"),
    "up": N_("Up"),
    "no_proposals": N_("No proposals yet."),
    "round_on": N_("Consent round"),
    "round_on_plan": N_("Can everyone live with this plan?"),
    "round_on_publication": N_("May the plan be published?"),
    "answered_of": N_("{answered} of {eligible} answered"),
    "consent_consent": N_("Consent"),
    "consent_concern": N_("Concern"),
    "consent_objection": N_("Objection"),
    "outcome_adopted": N_("Adopted: nobody objects."),
    "outcome_not_adopted": N_("Not adopted: an objection stood when the round closed."),
    "outcome_superseded": N_(
        "Superseded: the text was amended while the round was open; a new round asks again."
    ),
    "your_answer": N_("Your answer: {answer}"),
    "concern_label": N_("Your concern (recorded with the proposal)"),
    "objection_label": N_(
        "Your objection: what harm does it do, and why can you not live with it?"
    ),
    "pick_consent": N_("Choose consent, consent with a concern, or objection."),
    "objection_withdrawn": N_("You withdrew your objection."),
    "open_round": N_("Open a round"),
    "ask_objector": N_("Ask the objector"),
    "not_answered": N_("not answered"),
    "park": N_("Park"),
    "amend": N_("Amend"),
    "adopted": N_("adopted"),
    "parked": N_("parked"),
    "concerns": N_("Concerns"),
    "followup_label": N_("If something does not work:"),
    "evaluation_label": N_("Evaluation:"),
    "add_late": N_("Add a late joiner to this round…"),
    "ok": N_("OK"),
    "cancel": N_("Cancel"),
    "offline_short": N_("No connection"),
    "offline_waiting": N_(
        "No connection. What you send waits on this phone and goes out as soon as the "
        "connection is back."
    ),
    "waiting_to_send": N_("Waiting for the connection: this is sent as soon as it is back."),
    "waiting_answer": N_(
        "Your answer ({answer}) is waiting for the connection and is sent as soon as it is back."
    ),
    "voting_not_started": N_("Voting has not started yet. Read the proposals meanwhile."),
    "you_support": N_("You support this proposal."),
    "your_proposal_merged": N_(
        "Your proposal “{title}” was merged into “{into}”: its supporters moved with it."
    ),
    "your_proposal_withdrawn": N_("Your proposal “{title}” was withdrawn: {reason}"),
    "round_on_version": N_("Consent round · proposal version {n}"),
    "round_amended": N_(
        "The proposal was amended (now version {n}): the earlier round was closed and its "
        "answers are kept with the old text. Please answer again."
    ),
    "changed_since": N_("changed since version {n}"),
    "changed_after_adoption": N_("Changed after adoption: version {n} ({by})"),
    "field_title": N_("Title"),
    "field_description": N_("Description"),
    "field_what": N_("What"),
    "field_who": N_("Who"),
    "field_where": N_("Where"),
    "field_when": N_("When"),
    "information": N_("Information"),
    "issue_statement": N_("Issue statement"),
    "the_plan": N_("The plan"),
    "the_publication": N_("publication"),
    "the_plan_signed": N_("The plan everyone signs"),
    "join_with": N_("Join with code {code}"),
    "continued": N_("… {title} (continued)"),
    "page_n_of": N_("Page {n} of {total}"),
    "amend_title": N_("Amend “{title}”"),
    "amend_agreement_title": N_("Edit agreement “{title}”"),
    "amend_intro": N_(
        "Every field can change. The change is saved as a new version, with your name and "
        "the time; the room sees what changed."
    ),
    "amend_agreement_intro": N_(
        "The change is saved as a new version of the agreement, with your name and the "
        "time; the record shows the text before and after."
    ),
    "amend_supersedes": N_(
        "A round on this proposal is open ({answered} of {eligible} answered). Saving "
        "closes it as superseded (its answers stay on the record with the old version) and "
        "opens a new round on the new version: everyone answers again."
    ),
    "amend_plan_supersedes": N_(
        "A round on the whole plan is open ({answered} of {eligible} answered). Saving "
        "closes it as superseded (its answers stay on the record) and opens a new round on "
        "the plan as it is then: everyone answers again."
    ),
    "amend_plan_title": N_("Change the plan during its round?"),
    "amend_and_ask": N_("Save and ask again"),
    "save_version": N_("Save as a new version"),
    "version_by": N_("Version {n} · {by}, {at}"),
    "remove_title": N_("Remove {name}?"),
    "remove_confirm": N_("Remove from the meeting"),
    "hide_title": N_("Hide this contribution?"),
    "confirm_hide": N_(
        "It leaves the beamer and every phone at once and never comes back; {name} sees "
        "that it was hidden."
    ),
    "hide_confirm": N_("Hide for good"),
    "rename_theme": N_("Rename the theme"),
    "theme_name": N_("Name of the theme"),
    "merge_title": N_("Merge these proposals?"),
    "confirm_merge": N_(
        "“{source}” is merged into “{target}”. Its supporters move to “{target}” (nobody "
        "counts twice) and its author is told on their phone."
    ),
    "merge_undo_hint": N_("You can undo this until voting opens."),
    "merge_no_undo": N_("Voting is open: this merge cannot be undone."),
    "merge_confirm": N_("Merge"),
    "merged_here": N_("“{title}” was merged into this proposal."),
    "undo_merge": N_("Undo the merge"),
    "confirm_unmerge": N_(
        "“{source}” comes back as its own proposal, with the supporters it had; “{target}” "
        "keeps only its own."
    ),
    "withdraw_title": N_("Withdraw “{title}”?"),
    "withdraw_intro": N_(
        "The proposal stays visible to the room, struck through, with the reason you give. "
        "The support on it returns to its voters."
    ),
    "withdraw_confirm": N_("Withdraw the proposal"),
    "withdraw_contribution_title": N_("Withdraw your contribution?"),
    "close_round_title": N_("Close this round?"),
    "close_adopted": N_("No objection stands: “{subject}” will be adopted."),
    "close_final": N_("Answers can no longer change after this."),
    "close_round": N_("Close the round"),
    "revise_title": N_("Save the new version and ask again?"),
    "revise_and_ask": N_("Save and ask again"),
    "renew_beamer_title": N_("Renew the beamer link?"),
    "no_go_title": N_("Start despite a no-go?"),
    "presented_by": N_("Presented by {name}"),
    "start_despite_no_go": N_("Start the meeting anyway"),
    "confirm_renew_beamer": N_(
        "Every beamer open with the current link goes dark; open the new link on the beamer laptop."
    ),
    "renew_beamer": N_("Renew the link"),
    "add_late_title": N_("Add {name} to this round?"),
    "confirm_add_late": N_(
        "{name} joined after the round opened. Added, they can answer in this round, and the "
        "count of who may answer goes up by one."
    ),
    "add_late_confirm": N_("Add to the round"),
    "park_title": N_("Park “{title}”?"),
    "confirm_park": N_(
        "A parked proposal gets no further consent round in this meeting; it stays on the "
        "record with its rounds."
    ),
    "answer_not_stored": N_(
        "Your earlier answer was not stored: {reason} Please answer the question below."
    ),
    "round_amended_plan": N_(
        "The plan was changed: the earlier round was closed and its answers are kept with the "
        "old text. Please answer again."
    ),
}

#: Texts with a count: each has a singular and a plural form.
UI_PLURALS = {
    "answered_n": Nn_("{n} answered", "{n} answered"),
    "contributions_n": Nn_("{n} contribution", "{n} contributions"),
    "pending_n": Nn_("{n} waiting for approval", "{n} waiting for approval"),
    "round_ahead": Nn_(
        "{n} person before you in the round.", "{n} people before you in the round."
    ),
    "versions_n": Nn_("{n} version", "{n} versions"),
    "support_n": Nn_("{n} support", "{n} support"),
    "voting_open_dots": Nn_(
        "Voting is open. You have {n} dot left.", "Voting is open. You have {n} dots left."
    ),
    "your_support": Nn_("your support: {n} dot", "your support: {n} dots"),
    "online_n": Nn_("{n} participant online", "{n} participants online"),
    "proposals_waiting": Nn_(
        "{n} proposal is waiting for the connection and is sent as soon as it is back.",
        "{n} proposals are waiting for the connection and are sent as soon as it is back.",
    ),
    "dots_max_here": Nn_(
        "The most one proposal can take: {n} dot.", "The most one proposal can take: {n} dots."
    ),
    "stale_state": Nn_(
        "No connection. Shown from this phone: the state of {time} ({n} minute ago).",
        "No connection. Shown from this phone: the state of {time} ({n} minutes ago).",
    ),
    "close_not_adopted": Nn_(
        "{n} objection stands: “{subject}” will not be adopted. Amend it and ask again, or "
        "ask the objector first.",
        "{n} objections stand: “{subject}” will not be adopted. Amend it and ask again, or "
        "ask the objectors first.",
    ),
    "revise_asks_again": Nn_(
        "The open question closes; its {n} answer stays with version {version}. The room is "
        "then asked again about version {next}.",
        "The open question closes; its {n} answers stay with version {version}. The room is "
        "then asked again about version {next}.",
    ),
}

SIGNING_PLURALS = {
    "declined_n": Nn_("{n} declined to sign", "{n} declined to sign"),
}


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    meeting = g.get("meeting_language")
    if meeting in LANGUAGES and g.get("room_screen"):
        return str(meeting)
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    person = g.get("person_language")
    if person in LANGUAGES:
        return str(person)
    if meeting in LANGUAGES:
        return str(meeting)
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def use_meeting_language(language: str, *, room_screen: bool = False) -> None:
    """A page of one meeting speaks the meeting's language unless asked otherwise. The
    beamer is the room's screen: only ``?lang=`` overrides it, not the laptop's own
    remembered choice. On a phone or a party's screen a person's own choice (``?lang=``
    or the remembered switch) still wins; the browser's language does not."""
    g.meeting_language = language
    g.room_screen = room_screen
    refresh()


def use_person_language(language: str) -> None:
    """This page is a known person's (their phone): without ``?lang=`` or a remembered
    switch it speaks the language they joined in, before the meeting's."""
    g.person_language = language
    refresh()


def remember_locale(response: Any) -> Any:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        response.set_cookie(LANG_COOKIE, wanted, max_age=365 * 86400, samesite="Lax")
    return response


def phase_label(code: str) -> str:
    return str(gettext(PHASE_LABELS.get(code, code)))


def localize_error(error: DomainError, lang: str | None = None) -> dict[str, str]:
    def render() -> str:
        params = {
            k: (phase_label(v) if k in ("phase", "required") and isinstance(v, str) else v)
            for k, v in error.params.items()
        }
        try:
            return str(gettext(error.template)).format(**params)
        except (KeyError, IndexError, ValueError):
            return error.message

    if lang in LANGUAGES:
        with force_locale(lang):
            return {"code": error.code, "message": render()}
    return {"code": error.code, "message": render()}


def client_strings() -> dict[str, Any]:
    """Everything the scripts show, translated for the current request's language."""
    return _client_strings(str(get_locale() or DEFAULT))


@lru_cache(maxsize=8)
def plural_samples(locale: str) -> dict[str, int]:
    """A count for each plural category (CLDR names: zero, one, two, few, many, other)
    of the language: the script asks ``Intl.PluralRules`` for a count's category and
    shows the form made for that category's sample (Arabic has six, Polish three)."""
    rule = Locale.parse(locale).plural_form
    samples: dict[str, int] = {}
    for n in range(0, 1001):
        samples.setdefault(rule(n), n)
    samples.setdefault("other", samples.get("many", 2))  # Polish "other" is for fractions
    return samples


def _plurals(table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Every form of each text with a count, by plural category; the script picks one by
    the count."""
    samples = plural_samples(str(get_locale() or DEFAULT))
    return {
        key: {category: ngettext(one, other, n) for category, n in samples.items()}
        for key, (one, other) in table.items()
    }


@lru_cache(maxsize=8)
def _client_strings(locale: str) -> dict[str, Any]:
    # Built once per language: every phone page embeds it.
    return {
        "phases": {k: gettext(v) for k, v in PHASE_LABELS.items()},
        "beamer_leads": {k: gettext(v) for k, v in BEAMER_LEADS.items()},
        "phone_tasks": {k: gettext(v) for k, v in PHONE_TASKS.items()},
        "roles": {k: gettext(v) for k, v in ROLE_LABELS.items()},
        "errors": {k: gettext(v) for k, v in ALL_MESSAGES.items()},
        "ui": {**{k: gettext(v) for k, v in UI.items()}, **_plurals(UI_PLURALS)},
        "kaders": {k: gettext(v) for k, v in KADER_UI.items()},
        "party_tasks": {k: gettext(v) for k, v in PARTY_TASKS.items()},
        "signing": {**{k: gettext(v) for k, v in SIGNING_UI.items()}, **_plurals(SIGNING_PLURALS)},
        "languages": {code: language_name(code, locale) for code in LANGUAGES},
    }
