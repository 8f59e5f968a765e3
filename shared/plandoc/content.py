"""The document's content as plain blocks, derived only from the plan record.

`build_blocks` is the single source of the document's visible text: the renderer writes
these blocks into the .docx and the verifier re-derives them from the sealed record to
compare with what a document shows. Everything here must be deterministic: the same
record gives the same blocks, whatever the machine, locale or date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from . import format_v1
from .blocks import (
    LOCAL_TZ,
    Block,
    Cell,
    Line,
    Para,
    QrCode,
    Run,
    Table,
    blocks_to_images,
    blocks_to_lines,
    clean,
    comparable,
    parse_date,
    parse_instant,
)
from .labels import FORMAT, FORMAT_V1, FORMATS, LABELS, ROLES
from .seal import canonical_bytes, fingerprint_of

__all__ = [
    "LOCAL_TZ",
    "Block",
    "Cell",
    "Line",
    "Para",
    "QrCode",
    "Run",
    "Table",
    "blocks_to_images",
    "blocks_to_lines",
    "build_blocks",
    "clean",
    "comparable",
    "language_of",
    "parse_date",
    "parse_instant",
    "record_format",
    "sealed_verify_url",
    "visible_lines",
]


class Words:
    """The labels of one language, with the date and list formatting of format v1."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LABELS else "nl"
        self.labels = LABELS[self.language]

    def __getitem__(self, key: str) -> str:
        return self.labels[key]

    def fmt(self, key: str, **values: object) -> str:
        return self.labels[key].format(**values)

    def date_long(self, day: dt.date) -> str:
        return self.fmt(
            "date_long",
            weekday=self.labels["weekdays"].split()[day.weekday()],
            day=day.day,
            month=self.labels["months"].split()[day.month - 1],
            year=day.year,
        )

    def date_medium(self, day: dt.date) -> str:
        return self.fmt(
            "date_medium",
            day=day.day,
            month=self.labels["months"].split()[day.month - 1],
            year=day.year,
        )

    def date_short(self, day: dt.date) -> str:
        return self.fmt("date_short", day=day.day, month=day.month, year=day.year)

    def datetime(self, value: object) -> str:
        moment = parse_instant(value)
        if moment is None:
            return clean(value) or self.labels["not_recorded"]
        return self.fmt("datetime", date=self.date_medium(moment.date()), time=f"{moment:%H:%M}")

    def moment_near(self, value: object, day: dt.date | None) -> str:
        """Only the time when `value` falls on `day` (the meeting's date), else date and time."""
        moment = parse_instant(value)
        if moment is None:
            return clean(value) or self.labels["empty"]
        if day is not None and moment.date() == day:
            return f"{moment:%H:%M}"
        return f"{self.date_short(moment.date())} {moment:%H:%M}"

    def join(self, items: list[str]) -> str:
        items = [item for item in items if item]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + self.labels["list_and"] + items[-1]

    def role(self, role: object) -> str:
        key = f"role_{role}"
        return self.labels[key] if key in self.labels else clean(role)


# --- the record -------------------------------------------------------------------------


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _runs(*parts: Run | str) -> tuple[Run, ...]:
    return tuple(Run(part) if isinstance(part, str) else part for part in parts)


class _Builder:
    def __init__(self, record: Mapping[str, Any], key_id: str | None, verify_url: str | None):
        self.record = record
        self.meeting = _dict(record.get("meeting"))
        self.w = Words(str(self.meeting.get("language") or "nl"))
        self.day = parse_date(self.meeting.get("date"))
        self.key_id = key_id
        verify_url = sealed_verify_url(record, verify_url)
        self.verify_url = clean(verify_url) if verify_url else None
        self.blocks: list[Block] = []
        plan = _dict(record.get("plan"))
        self.digest = hashlib.sha256(canonical_bytes(dict(record))).hexdigest()
        self.agreements = [_dict(a) for a in _list(plan.get("agreements"))]
        self.agreement_by_id = {a.get("id"): a for a in self.agreements}
        self.frameworks = [_dict(f) for f in _list(record.get("frameworks"))]
        self.framework_by_id = {f.get("id"): f for f in self.frameworks}

    # helpers
    def text_or(self, value: object, missing_key: str) -> tuple[str, str]:
        text = clean(value)
        return (text, "Normal") if text else (self.w[missing_key], "Note")

    def value(self, value: object) -> str:
        return clean(value) or self.w["empty"]

    def para(self, ref: str, *parts: Run | str, style: str = "Normal", page: bool = False) -> None:
        self.blocks.append(Para(ref, _runs(*parts), style, page))

    def heading(self, key: str, level: int = 1, page: bool = False, ref: str = "heading") -> None:
        self.para(ref, self.w[key], style=f"Heading {level}", page=page)

    def note(self, ref: str, key: str) -> None:
        self.para(ref, self.w[key], style="Note")

    def header(self, ref: str, *keys: str) -> tuple[Cell, ...]:
        return tuple(Cell(ref, _runs(self.w[key])) for key in keys)

    def agreement_short(self, agreement_id: object) -> str:
        agreement = self.agreement_by_id.get(agreement_id)
        if agreement is None:
            return self.w["unknown_agreement"]
        return f"{_int(agreement.get('number'))}. {clean(agreement.get('title'))}"

    def framework_short(self, framework_id: object) -> str:
        framework = self.framework_by_id.get(framework_id)
        if framework is None:
            return self.w["unknown_framework"]
        return f"{_int(framework.get('number'))}. {clean(framework.get('title'))}"

    # sections
    def title_page(self) -> None:
        w, m = self.w, self.meeting
        self.para("meeting", clean(m.get("title")) or w["empty"], style="Title")
        self.para("meeting", w["subtitle"], style="Subtitle")
        date_text = w.date_long(self.day) if self.day else w["not_recorded"]
        facilitators = w.join([clean(f) for f in _list(m.get("facilitators"))])
        template = m.get("template")
        template_key = f"template_{template}"
        rows = [
            ("date", date_text),
            ("place", clean(m.get("place")) or w["not_recorded"]),
            ("facilitators", facilitators or w["not_recorded"]),
            ("template", w[template_key] if template_key in w.labels else self.value(template)),
            ("sealed", w.datetime(m.get("sealed_at"))),
            ("fingerprint", fingerprint_of(self.digest)),
        ]
        for key, text in rows:
            self.para("meeting", Run(f"{w[key]}: ", bold=True), text, style="Meta")

    def issue(self) -> None:
        self.heading("h_issue", page=True)
        self.heading("h_issue_statement", 2)
        text, style = self.text_or(self.record.get("issue_statement"), "no_issue_statement")
        self.para("issue", text, style=style)
        self.heading("h_open_question", 2)
        text, style = self.text_or(self.record.get("open_question"), "no_open_question")
        self.para("question", text, style=style)

    def preparation(self) -> None:
        """That the go/no-go was assessed, its outcome and whether the meeting started
        despite a no-go: present only in records of a process that made one."""
        prep = self.record.get("preparation")
        if not isinstance(prep, dict):
            return
        day = parse_date(prep.get("assessed_at"))
        outcome = str(prep.get("verdict"))
        verdict_key = f"verdict_{outcome}" if f"verdict_{outcome}" in self.w.labels else ""
        self.heading("h_preparation", 2)
        self.para(
            "preparation",
            self.w.fmt(
                "preparation_assessed",
                date=self.w.date_medium(day) if day else self.w["not_recorded"],
                verdict=self.w[verdict_key] if verdict_key else self.value(outcome),
            ),
        )
        if prep.get("started_despite_no_go") is True:
            self.para("preparation", self.w["started_despite_no_go"])

    def frameworks_section(self) -> None:
        w = self.w
        self.heading("h_frameworks")
        if not self.frameworks:
            self.note("frameworks", "no_frameworks")
            return
        self.para("frameworks", w["frameworks_intro"])
        rows: list[tuple[Cell, ...]] = []
        for f in self.frameworks:
            ref = f"framework:{_int(f.get('number'))}"
            description = clean(f.get("description"))
            content = [Run(clean(f.get("title")) or w["empty"], bold=True)]
            if description:
                content.append(Run("\n" + description))
            version = w.fmt("version", version=_int(f.get("version")))
            if f.get("changed_after_lock"):
                version += f"\n({w['changed_after_lock']})"
            rows.append(
                (
                    Cell(ref, _runs(str(_int(f.get("number"))))),
                    Cell(ref, _runs(self.value(f.get("party")))),
                    Cell(ref, tuple(content)),
                    Cell(ref, _runs(version)),
                )
            )
        header = self.header(
            "frameworks", "col_number", "col_party", "col_framework", "col_version"
        )
        self.blocks.append(Table((1.0, 4.0, 9.5, 2.5), header, tuple(rows)))

    def participants(self) -> None:
        w = self.w
        info = _dict(self.record.get("participants"))
        groups = [_dict(g) for g in _list(info.get("groups"))]
        anonymous = bool(info.get("anonymous"))
        total = _int(info.get("total"))
        self.heading("h_participants")
        if not groups and not total:
            self.note("participants", "no_participants")
            return
        if total == 1:
            self.para("participants", w["participants_total_one"])
        else:
            self.para("participants", w.fmt("participants_total", total=total))
        languages = [_dict(x) for x in _list(info.get("languages"))]
        if languages:
            # which languages the room read in: interpretation, and who may need the plan
            # in their own language
            items = []
            for x in languages:
                code = clean(x.get("language"))
                name = w.labels.get(f"lang_{code}") or code
                # an anonymous meeting's record has no counts
                counted = "people" in x
                items.append(
                    w.fmt("language_count", name=name, n=_int(x.get("people"))) if counted else name
                )
            self.para("participants", w.fmt("languages", list=w.join(items)))
        if groups:
            rows: list[tuple[Cell, ...]] = []
            sums = dict.fromkeys(ROLES, 0)
            for i, group in enumerate(groups, start=1):
                ref = f"group:{i}"
                roles = _dict(group.get("roles"))
                counts = [_int(roles.get(role)) for role in ROLES]
                for role, count in zip(ROLES, counts, strict=True):
                    sums[role] += count
                name = clean(group.get("group")) or w["no_group"]
                cells = [Cell(ref, _runs(name))]
                cells += [Cell(ref, _runs(str(c))) for c in counts]
                cells.append(Cell(ref, _runs(str(sum(counts)))))
                rows.append(tuple(cells))
            total_cells = [Cell("participants", _runs(Run(w["col_total"], bold=True)))]
            total_cells += [
                Cell("participants", _runs(Run(str(sums[r]), bold=True))) for r in ROLES
            ]
            total_cells.append(Cell("participants", _runs(Run(str(sum(sums.values())), bold=True))))
            rows.append(tuple(total_cells))
            header = self.header(
                "participants", "col_group", *[f"col_role_{r}" for r in ROLES], "col_total"
            )
            self.blocks.append(Table((4.2, 2.4, 2.4, 3.2, 2.4, 2.4), header, tuple(rows)))
        if anonymous:
            self.para("participants", w["anonymous"], style="Note")
            return
        named = [(i, group) for i, group in enumerate(groups, start=1) if _list(group.get("names"))]
        if named:
            self.heading("h_names", 2)
            for i, group in named:
                names = ", ".join(clean(n) for n in _list(group.get("names")) if clean(n))
                self.para(
                    f"group:{i}",
                    Run(f"{clean(group.get('group')) or w['no_group']}: ", bold=True),
                    names,
                )

    def themes(self) -> None:
        w = self.w
        themes = [_dict(t) for t in _list(self.record.get("themes"))]
        self.heading("h_themes")
        if not themes:
            self.note("themes", "no_themes")
            return
        self.para("themes", w["themes_intro"])
        rows = tuple(
            (
                Cell(f"theme:{i}", _runs(self.value(t.get("name")))),
                Cell(f"theme:{i}", _runs(str(_int(t.get("contributions"))))),
            )
            for i, t in enumerate(themes, start=1)
        )
        header = self.header("themes", "col_theme", "col_contributions")
        self.blocks.append(Table((13.5, 3.5), header, tuple(rows)))

    def plan(self) -> None:
        w = self.w
        plan = _dict(self.record.get("plan"))
        self.heading("h_plan", page=True)
        self.heading("h_agreements", 2)
        if not self.agreements:
            self.note("plan", "no_agreements")
        else:
            rows: list[tuple[Cell, ...]] = []
            for a in self.agreements:
                ref = f"agreement:{_int(a.get('number'))}"
                content = [Run(clean(a.get("title")) or w["empty"], bold=True)]
                for name in ("description", "what"):
                    text = clean(a.get(name))
                    if text:
                        content.append(Run("\n" + text))
                if _list(a.get("changes")):
                    content.append(
                        Run(
                            "\n" + w.fmt("agreement_changed_note", version=_int(a.get("version"))),
                            italic=True,
                        )
                    )
                for concern in _list(a.get("concerns")):
                    if clean(concern):
                        content.append(
                            Run("\n" + w.fmt("agreement_concern", text=clean(concern)), italic=True)
                        )
                rows.append(
                    (
                        Cell(ref, _runs(str(_int(a.get("number"))))),
                        Cell(ref, tuple(content)),
                        Cell(ref, _runs(self.value(a.get("who")))),
                        Cell(ref, _runs(self.value(a.get("where")))),
                        Cell(ref, _runs(self.value(a.get("when")))),
                    )
                )
            header = self.header(
                "plan", "col_number", "col_agreement", "col_who", "col_where", "col_when"
            )
            self.blocks.append(Table((1.0, 7.6, 3.0, 2.7, 2.7), header, tuple(rows)))
        self.heading("h_followup", 2)
        text, style = self.text_or(plan.get("followup"), "no_text")
        self.para("plan:followup", text, style=style)
        self.appointment("plan:followup", plan.get("reconvene_at"))
        self.heading("h_evaluation", 2)
        text, style = self.text_or(plan.get("evaluation"), "no_text")
        self.para("plan:evaluation", text, style=style)
        self.appointment("plan:evaluation", plan.get("evaluation_at"))

    def appointment(self, ref: str, value: object) -> None:
        """When and where (records that state them): a date and a place."""
        if not isinstance(value, dict):
            return
        day = parse_date(value.get("date"))
        self.para(
            ref,
            self.w.fmt(
                "appointment",
                date=self.w.date_long(day) if day else self.w["not_recorded"],
                place=clean(value.get("place")) or self.w["not_recorded"],
            ),
        )

    def follows(self) -> None:
        """The sealed plan this meeting was made from, by its fingerprint."""
        follows = self.record.get("follows")
        if not isinstance(follows, dict):
            return
        kind = "follows_evaluation" if follows.get("kind") == "evaluation" else "follows_reconvene"
        day = parse_date(follows.get("date"))
        numbers = [str(_int(n)) for n in _list(follows.get("agreements"))]
        self.heading("h_follows", 2)
        self.para(
            "follows",
            self.w.fmt(
                kind,
                title=clean(follows.get("title")) or self.w["empty"],
                date=self.w.date_long(day) if day else self.w["not_recorded"],
                fingerprint=clean(follows.get("fingerprint")),
                numbers=self.w.join(numbers) or self.w["not_recorded"],
            ),
        )

    def publication(self) -> None:
        """The rounds on publishing the plan (records where the room was asked)."""
        publication = self.record.get("publication")
        if not isinstance(publication, dict):
            return
        self.heading("h_publication", 2)
        self.para("publication", clean(publication.get("text")) or self.w["empty"])
        for rnd in [_dict(r) for r in _list(publication.get("rounds"))]:
            self.consent_round("publication", rnd)
        key = (
            "publication_consented"
            if publication.get("consented") is True
            else "publication_not_consented"
        )
        self.para("publication", self.w[key])

    def consent(self) -> None:
        w = self.w
        items = [_dict(c) for c in _list(self.record.get("consent"))]
        self.heading("h_consent", page=True)
        if not items:
            self.note("consent", "no_consent")
            return
        self.para("consent", w["consent_intro"])
        for index, item in enumerate(items, start=1):
            agreement_id = item.get("agreement_id")
            if agreement_id is None:
                ref, title = "consent:plan", w["consent_plan"]
            elif agreement_id in self.agreement_by_id:
                agreement = self.agreement_by_id[agreement_id]
                number = _int(agreement.get("number"))
                ref = f"consent:{number}"
                title = w.fmt(
                    "consent_agreement",
                    number=number,
                    title=clean(agreement.get("title")) or clean(item.get("title")),
                )
            else:
                ref = f"consent:item{index}"
                title = w.fmt("consent_item", title=clean(item.get("title")) or w["empty"])
            self.para(ref, title, style="Heading 2")
            rounds = [_dict(r) for r in _list(item.get("rounds"))]
            if not rounds:
                self.note(ref, "no_rounds")
            for rnd in rounds:
                self.consent_round(ref, rnd)
            if agreement_id in self.agreement_by_id:
                self.changed_after_adoption(ref, self.agreement_by_id[agreement_id])

    def field_name(self, name: str) -> str:
        """A field's name; a plan round's fields are "<agreement number>.<field>"."""
        number, _, field = name.rpartition(".")
        label = self.w.labels.get(f"field_{field}", field)
        if number:
            return self.w.fmt("field_of_agreement", number=number, field=label)
        return label

    def changes(self, ref: str, changes: list[Any]) -> None:
        for change in [_dict(c) for c in changes]:
            field = self.field_name(str(change.get("field", "")))
            for key, text in (("change_before", "before"), ("change_after", "after")):
                self.para(
                    ref,
                    self.w.fmt(key, field=field, text=clean(change.get(text)) or self.w["empty"]),
                    style="Note",
                )

    def consent_round(self, ref: str, rnd: dict[str, Any]) -> None:
        w = self.w
        details: list[str] = []
        if rnd.get("proposal_version") is not None:
            details.append(w.fmt("round_version", version=_int(rnd.get("proposal_version"))))
        elif rnd.get("topic") == "publication":
            details.append(w["round_publication"])
        else:
            details.append(w["round_plan"])
        opened = w.datetime(rnd.get("opened_at"))
        if rnd.get("closed_at"):
            opened_at = parse_instant(rnd.get("opened_at"))
            closed_at = parse_instant(rnd.get("closed_at"))
            if opened_at and closed_at and opened_at.date() == closed_at.date():
                closed = f"{closed_at:%H:%M}"
            else:
                closed = w.datetime(rnd.get("closed_at"))
            details.append(w.fmt("round_time", opened=opened, closed=closed))
        else:
            details.append(w.fmt("round_time_open", opened=opened))
        outcome = rnd.get("outcome")
        if outcome in ("adopted", "not_adopted", "superseded"):
            details.append(w[f"outcome_{outcome}"])
        self.para(
            ref,
            Run(w.fmt("round", number=_int(rnd.get("number"))), bold=True),
            " · " + " · ".join(details),
        )
        counts = _dict(rnd.get("counts"))
        self.para(
            ref,
            w.fmt(
                "round_counts",
                eligible=_int(rnd.get("eligible")),
                answered=_int(rnd.get("answered")),
                consent=_int(counts.get("consent")),
                concern=_int(counts.get("concern")),
                objection=_int(counts.get("objection")),
                withdrawn=_int(counts.get("withdrawn")),
            ),
        )
        for concern in _list(rnd.get("concerns")):
            if clean(concern):
                self.para(ref, w.fmt("round_concern", text=clean(concern)), style="List Bullet")
        plan_round = rnd.get("proposal_version") is None
        for objection in [_dict(o) for o in _list(rnd.get("objections"))]:
            self.para(
                ref,
                w.fmt("round_objection", text=clean(objection.get("reason")) or w["empty"]),
                style="List Bullet",
            )
            ending = objection.get("ending")
            later = _int(objection.get("later_round"))
            if ending == "integrated":
                key = "ending_integrated_plan" if plan_round else "ending_integrated"
                text = w.fmt(key, version=_int(objection.get("later_version")), round=later)
                answer = objection.get("objector_answer")
                text += (
                    " "
                    + w[f"ending_answer_{answer if answer in ('consent', 'concern') else 'none'}"]
                )
                self.para(ref, text)
                self.changes(ref, _list(objection.get("changes")))
            elif ending == "raised_again":
                self.para(ref, w.fmt("ending_raised_again", round=later))
            elif ending == "adopted_unchanged":
                answer = objection.get("objector_answer")
                key = answer if answer in ("consent", "concern") else "none"
                self.para(
                    ref,
                    w.fmt("ending_adopted_unchanged", round=later)
                    + " "
                    + w[f"ending_answer_{key}"],
                )
            elif ending in ("withdrawn", "standing", "open"):
                self.para(ref, w[f"ending_{ending}"])

    def changed_after_adoption(self, ref: str, agreement: dict[str, Any]) -> None:
        edits = [_dict(e) for e in _list(agreement.get("changes"))]
        if not edits:
            return
        self.para(ref, self.w["h_changed_after"], style="Heading 3")
        for edit in edits:
            self.para(
                ref,
                self.w.fmt(
                    "changed_after",
                    version=_int(edit.get("version")),
                    by=self.value(edit.get("by")),
                    at=self.w.datetime(edit.get("at")),
                ),
            )
            self.changes(ref, _list(edit.get("changes")))

    def framework_check(self) -> None:
        w = self.w
        check = _dict(self.record.get("framework_check"))
        entries = [_dict(e) for e in _list(check.get("entries"))]
        self.heading("h_check", page=True)
        status = check.get("status")
        if entries:
            self.para("check", w["check_intro"])
            rows: list[tuple[Cell, ...]] = []
            for e in entries:
                agreement = self.agreement_by_id.get(e.get("agreement_id"))
                framework = self.framework_by_id.get(e.get("framework_id"))
                a_num = _int(agreement.get("number")) if agreement else "?"
                f_num = _int(framework.get("number")) if framework else "?"
                ref = f"check:{a_num}:{f_num}"
                fits = e.get("verdict") == "fits"
                verdict = Run(w["verdict_fits" if fits else "verdict_does_not_fit"], bold=not fits)
                at = w.moment_near(e.get("at"), self.day)
                if e.get("on_behalf"):
                    party = clean(framework.get("party")) if framework else ""
                    recorded = w.fmt(
                        "recorded_on_behalf",
                        name=self.value(e.get("recorded_by")),
                        party=party or w["empty"],
                        at=at,
                    )
                else:
                    recorded = w.fmt("recorded_by", name=self.value(e.get("recorded_by")), at=at)
                rows.append(
                    (
                        Cell(ref, _runs(self.agreement_short(e.get("agreement_id")))),
                        Cell(ref, _runs(self.framework_short(e.get("framework_id")))),
                        Cell(ref, (verdict,)),
                        Cell(ref, _runs(self.value(e.get("explanation")))),
                        Cell(ref, _runs(recorded)),
                    )
                )
            header = self.header(
                "check",
                "col_agreement",
                "col_framework",
                "col_verdict",
                "col_explanation",
                "col_recorded_by",
            )
            self.blocks.append(Table((3.4, 3.4, 1.9, 4.9, 3.4), header, tuple(rows)))
        elif status != "none":
            self.note("check", "no_check_entries")
        self.heading("h_check_result", 2)
        if status == "unchanged":
            self.para("check", w["check_unchanged"])
        elif status == "changes_needed":
            self.para("check", w["check_changes_needed"])
            misfits = {e.get("agreement_id") for e in entries if e.get("verdict") == "does_not_fit"}
            for a in self.agreements:
                if a.get("id") in misfits:
                    self.para(
                        "check",
                        w.fmt(
                            "agreement_ref",
                            number=_int(a.get("number")),
                            title=clean(a.get("title")),
                        ),
                        style="List Bullet",
                    )
            for agreement_id in sorted(
                (i for i in misfits if i not in self.agreement_by_id), key=repr
            ):
                self.para("check", self.agreement_short(agreement_id), style="List Bullet")
        elif status == "none":
            self.para("check", w["check_none"])
        else:
            self.para("check", w["check_incomplete"])
        followups = [_dict(f) for f in _list(check.get("followups"))]
        self.heading("h_followups", 2)
        if not followups:
            self.note("followups", "no_followups")
            return
        rows = []
        for f in followups:
            ref = f"followup:{_int(f.get('number'))}"
            about = (
                w["about_plan"]
                if f.get("agreement_id") is None
                else self.agreement_short(f.get("agreement_id"))
            )
            rows.append(
                (
                    Cell(ref, _runs(str(_int(f.get("number"))))),
                    Cell(ref, _runs(self.value(f.get("what")))),
                    Cell(ref, _runs(self.value(f.get("who")))),
                    Cell(ref, _runs(self.value(f.get("when")))),
                    Cell(ref, _runs(about)),
                )
            )
        header = self.header(
            "followups", "col_number", "col_what", "col_who", "col_when", "col_about"
        )
        self.blocks.append(Table((1.0, 6.2, 3.4, 2.8, 3.6), header, tuple(rows)))

    def moment_cell(self, value: object) -> str:
        """A time in a narrow column: the time alone on the meeting's day, else the date
        and the time on two lines."""
        return self.w.moment_near(value, self.day).replace(" ", "\n", 1)

    def signatures(self) -> None:
        w = self.w
        signatures = [_dict(s) for s in _list(self.record.get("signatures"))]
        not_signed = [_dict(p) for p in _list(self.record.get("not_signed"))]
        signed = [s for s in signatures if s.get("status") == "signed"]
        declined = [s for s in signatures if s.get("status") != "signed"]
        self.heading("h_signatures", page=True)
        if not signatures and not not_signed:
            self.note("signatures", "no_signatures")
            return
        self.para("signatures", w["signatures_intro"])
        self.para(
            "signatures",
            w.fmt(
                "signature_count",
                eligible=len(signatures) + len(not_signed),
                signed=len(signed),
                declined=len(declined),
                missing=len(not_signed),
            ),
        )
        if signed:
            rows: list[tuple[Cell, ...]] = []
            for s in signed:
                ref = f"signature:{_int(s.get('number'))}"
                image = s.get("image") if isinstance(s.get("image"), str) else None
                rows.append(
                    (
                        Cell(ref, _runs(str(_int(s.get("number"))))),
                        Cell(ref, self.signer(s)),
                        Cell(ref, _runs(w.role(s.get("role")) or w["empty"])),
                        Cell(ref, _runs(self.value(s.get("group")))),
                        Cell(ref, _runs(self.moment_cell(s.get("at")))),
                        Cell(
                            ref,
                            () if image else _runs(w["empty"]),
                            image=image,
                            image_alt=w.fmt("signature_alt", name=clean(s.get("name"))),
                        ),
                    )
                )
            header = self.header(
                "signatures",
                "col_number",
                "col_name",
                "col_role",
                "col_group",
                "col_time",
                "col_signature",
            )
            self.blocks.append(Table((0.9, 4.4, 2.6, 3.0, 2.1, 4.0), header, tuple(rows)))
        if declined:
            self.heading("h_declined", 2)
            rows = []
            for s in declined:
                ref = f"declined:{_int(s.get('number'))}"
                rows.append(
                    (
                        Cell(ref, _runs(str(_int(s.get("number"))))),
                        Cell(ref, self.signer(s)),
                        Cell(ref, _runs(w.role(s.get("role")) or w["empty"])),
                        Cell(ref, _runs(self.value(s.get("group")))),
                        Cell(ref, _runs(clean(s.get("reason")) or w["no_reason"])),
                    )
                )
            header = self.header(
                "signatures", "col_number", "col_name", "col_role", "col_group", "col_reason"
            )
            self.blocks.append(Table((0.9, 4.4, 2.6, 3.0, 6.1), header, tuple(rows)))
        if not_signed:
            self.heading("h_not_signed", 2)
            self.para("not_signed", w["not_signed_intro"])
            rows = []
            for n, person in enumerate(not_signed, start=1):
                ref = f"not_signed:{n}"
                rows.append(
                    (
                        Cell(ref, _runs(str(n))),
                        Cell(ref, _runs(clean(person.get("name")) or w["anonymous_person"])),
                        Cell(ref, _runs(w.role(person.get("role")) or w["empty"])),
                        Cell(ref, _runs(self.value(person.get("group")))),
                    )
                )
            header = self.header("not_signed", "col_number", "col_name", "col_role", "col_group")
            self.blocks.append(Table((0.9, 7.5, 4.0, 4.6), header, tuple(rows)))

    def signer(self, s: dict[str, Any]) -> tuple[Run, ...]:
        """The full name as typed when signing, and, when the room knew the person by
        another name, that name too (two people called Fatima are told apart)."""
        typed = self.value(s.get("name"))
        shown = clean(s.get("shown_as"))
        runs = [Run(typed, bold=True)]
        if shown and comparable(shown) != comparable(typed):
            runs.append(Run("\n" + self.w.fmt("in_the_room", name=shown)))
        return tuple(runs)

    def seal_section(self) -> None:
        w = self.w
        self.heading("h_seal", page=True)
        self.para("seal", w["seal_intro"])
        rows: list[tuple[str, str]] = [
            ("fingerprint", fingerprint_of(self.digest)),
            ("sealed", w.datetime(self.meeting.get("sealed_at"))),
        ]
        if self.key_id:
            rows.append(("key_id", self.key_id))
        rows.append(("format", record_format(self.record)))
        if self.verify_url:
            rows.append(("verify_at", self.verify_url))
        self.blocks.append(
            Table(
                (4.0, 13.0),
                None,
                tuple(
                    (Cell("seal", (Run(w[k], bold=True),)), Cell("seal", _runs(v))) for k, v in rows
                ),
                label_column=True,
            )
        )
        if self.verify_url:
            self.blocks.append(QrCode(self.verify_url, w["qr_alt"]))
            self.para("seal", w.fmt("verify_how", url=self.verify_url))
        else:
            self.para("seal", w["verify_how_no_url"])

    def build(self) -> list[Block]:
        self.title_page()
        self.issue()
        self.follows()
        self.preparation()
        self.frameworks_section()
        self.participants()
        self.themes()
        self.plan()
        self.consent()
        self.publication()
        self.framework_check()
        self.signatures()
        self.seal_section()
        return self.blocks


def build_blocks(
    record: Mapping[str, Any], *, key_id: str | None = None, verify_url: str | None = None
) -> list[Block]:
    """The document's blocks for `record`; `key_id` and `verify_url` add the seal's key and
    the verification address to the seal section. A record sealed in an earlier format is
    built with that format's wording, so it re-renders exactly as it was sealed."""
    if record_format(record) == FORMAT_V1:
        return format_v1.build_blocks(record, key_id=key_id, verify_url=verify_url)
    return _Builder(record, key_id, verify_url).build()


def visible_lines(
    record: Mapping[str, Any], *, key_id: str | None = None, verify_url: str | None = None
) -> list[Line]:
    """Every visible text of the document body, in order, with the ref it comes from.

    One entry per paragraph or table cell (empty ones left out). `build_docx(record, seal,
    verify_url, ...)` writes exactly ``visible_lines(record, key_id=seal.key_id,
    verify_url=verify_url)``.
    """
    return blocks_to_lines(build_blocks(record, key_id=key_id, verify_url=verify_url))


def language_of(record: Mapping[str, Any]) -> str:
    return Words(str(_dict(record.get("meeting")).get("language") or "nl")).language


def record_format(record: Mapping[str, Any]) -> str:
    """The record's format; records without a known one render as the current format."""
    value = record.get("format")
    return value if isinstance(value, str) and value in FORMATS else FORMAT


def sealed_verify_url(record: Mapping[str, Any], verify_url: str | None) -> str | None:
    """The verification address a document shows: from format 2 on it is sealed in the
    record (``verify_url``) and wins over the one given; format 1 takes the one given."""
    if record_format(record) == FORMAT_V1:
        return verify_url
    sealed = record.get("verify_url")
    return sealed if isinstance(sealed, str) and sealed else verify_url
