"""The digest of the plan as people sign it (kept with each signature)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.orm import Session

from shared.core.models import Meeting as MeetingRow
from shared.signing.record import plan_text


def plan_digest(session: Session, meeting: MeetingRow) -> str:
    text = json.dumps(plan_text(session, meeting), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
