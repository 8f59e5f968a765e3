"""The state each audience sees, composed from every feature's registered view keys
(shared.core.keys): the snapshot, the update for a set of changed keys, and each
phone's own view (``you``). This module imports every feature's screens so that the
registry is complete; nothing else here knows a feature by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

# Every feature's screens, imported for their registrations (keys and parts of `you`).
from shared.consent import screens as _consent  # noqa: F401
from shared.core.intents import clock_of
from shared.core.keys import KEYS, YOU_PARTS, key_of, relevant
from shared.core.models import Meeting as MeetingRow
from shared.core.models import utcnow
from shared.core.screens import PersonRow, iso
from shared.framing import screens as _framing  # noqa: F401
from shared.kaders import screens as _kaders  # noqa: F401
from shared.meeting import screens as _meeting  # noqa: F401
from shared.meeting.screens import person_view
from shared.proposals import screens as _proposals  # noqa: F401
from shared.sharing import screens as _sharing  # noqa: F401
from shared.signing import screens as _signing  # noqa: F401
from shared.speaking import screens as _speaking  # noqa: F401
from shared.tables import screens as _tables  # noqa: F401


def you_views(
    session: Session, people: list[PersonRow], parts: Iterable[str] | None = None
) -> dict[int, dict[str, Any]]:
    """Each phone's own state: who it is, then each feature's part of it (its own
    contributions, answers, place in the queue, support, table, signature…). Built for
    many phones at once (a round step touches everyone in it) with a fixed number of
    queries per feature. A removed participant's view has only who it is.

    With ``parts``, only those parts (and who it is), marked ``partial``: the phone
    keeps the rest of what it has. An answer changes the phone's answer, not its
    table or its signature."""
    wanted = [YOU_PARTS[name] for name in parts] if parts is not None else list(YOU_PARTS.values())
    out = {p.id: person_view(p) for p in people}
    if parts is not None:
        for view in out.values():
            view["partial"] = True
    active = [p for p in people if p.removed_at is None]
    if not active:
        return out
    meeting = session.get(MeetingRow, active[0].meeting_id)
    assert meeting is not None and all(p.meeting_id == meeting.id for p in active)
    for part in wanted:
        for pid, fields in part.build(session, meeting, active).items():
            out[pid].update(fields)
    return out


def build_views(
    session: Session, row: MeetingRow, audience: str, keys: Iterable[str], base_url: str
) -> dict[str, Any]:
    """The current value of each requested key for one audience."""
    out: dict[str, Any] = {}
    items: dict[str, list[int]] = {}
    for key in keys:
        if not relevant(audience, key):
            continue
        registered = key_of(key)
        if registered.build_items is not None:
            items.setdefault(registered.name, []).append(int(key.split(":", 1)[1]))
        else:
            assert registered.build is not None
            out[key] = registered.build(session, row, audience, base_url)
    for name, ids in items.items():
        builder = KEYS[name].build_items
        assert builder is not None
        out.update(builder(session, row, audience, ids))
    return out


def snapshot(
    session: Session,
    row: MeetingRow,
    audience: str,
    base_url: str,
) -> dict[str, Any]:
    """Every key this audience sees, at the meeting's current version. A phone's room
    part is the same for every phone of a meeting at one version (what is only its own
    is ``you``), so it is built once per version and shared: a thousand phones joining
    or reconnecting cost one build, not a thousand."""
    shared = audience == "phone"
    # Read first: whatever is read after it is at least that new.
    clock = clock_of(session, row.id)
    # the version of the last change phones see (a join, presence, a moderation queue
    # do not touch it): phones of one meeting share their room views until it moves
    seen = (clock.seen.get("phone", 0), base_url)
    cached = _PHONE_VIEWS.get(row.id) if shared else None
    if cached is not None and cached[0] == seen:
        views = cached[1]
    else:
        views = _room_views(session, row, audience, base_url)
        if shared:
            if len(_PHONE_VIEWS) >= 256:  # a server holds a few meetings at a time
                _PHONE_VIEWS.clear()
            _PHONE_VIEWS[row.id] = (seen, views)
    result: dict[str, Any] = {
        "version": clock.version,
        "server_time": iso(utcnow()),
        "views": views,
    }
    return result


def phone_snapshots(
    session: Session, row: MeetingRow, base_url: str, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """The snapshots of several phones of one meeting at once (they connect together
    after a restart): the shared room views, and every ``you`` built together with a
    fixed number of queries (`you_views`)."""
    room = snapshot(session, row, "phone", base_url)
    return {pid: {**room, "you": you} for pid, you in you_views(session, people).items()}


#: meeting id -> ((phone version, base url), the phones' room views then). Every change
#: a phone can see raises the phones' version (`advance_clocks`), so an entry is exact
#: until the next such change; the views are only ever serialized, never changed.
_PHONE_VIEWS: dict[str, tuple[tuple[int, str], dict[str, Any]]] = {}


def _room_views(session: Session, row: MeetingRow, audience: str, base_url: str) -> dict[str, Any]:
    views: dict[str, Any] = {}
    for key in KEYS.values():
        if audience not in key.audiences:
            continue
        if key.build_items is not None:
            views.update(
                {k: v for k, v in key.build_items(session, row, audience, None).items() if v}
            )
        else:
            assert key.build is not None
            value = key.build(session, row, audience, base_url)
            if value is not None:  # as an update's null: the key is not there
                views[key.name] = value
    return views
