"""A realistic (made-up) plan record with drawn signatures, for tests and the benchmark.

The names and places are invented; none comes from the source documents.
"""

from __future__ import annotations

import hashlib
import math
import random
import struct
import zlib
from functools import lru_cache
from typing import Any

from .labels import FORMAT

FIRST_NAMES = (
    "Fatima", "Jan", "Anouk", "Mohamed", "Sanne", "Kees", "Yara", "Daan", "Noor", "Bram",
    "Esra", "Pieter", "Lotte", "Youssef", "Ineke", "Ravi", "Marleen", "Tim", "Samira", "Joost",
)  # fmt: skip
LAST_NAMES = (
    "El Amrani", "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Yılmaz", "van Dijk", "Hoekstra", "Kaya", "Dekker",
    "van der Linden", "Brouwer", "Öztürk", "Peeters",
)  # fmt: skip
DECLINE_REASON = "Ik wil eerst zien of de speelplek er echt komt."
SAMPLE_VERIFY_URL = "https://plandag.example.org/controle"
GROUPS = ("Bewoners Lindelaan", "Jongeren", "Gemeente", "Woningcorporatie", "Ondernemers")

AGREEMENTS = (
    (
        "Buurtoverleg elke maand",
        "Bewoners, jongeren en de wijkagent komen elke eerste dinsdag van de maand bij elkaar "
        "om te bespreken wat goed gaat en wat niet.\nIedereen mag agendapunten aandragen.",
        "Wijkteam en twee bewoners",
        "Buurthuis De Schakel",
        "Vanaf september, elke eerste dinsdag",
    ),
    (
        "Speelplek bij de Lindelaan",
        "De gemeente richt het grasveld achter de Lindelaan in als speelplek met bankjes en "
        "een trapveldje; jongeren denken mee over de inrichting.",
        "Gemeente (afdeling openbare ruimte) met de jongeren",
        "Grasveld achter de Lindelaan",
        "Ontwerp voor 1 november, aanleg voor de zomer",
    ),
    (
        "Vast aanspreekpunt bij de woningcorporatie",
        "Bewoners krijgen één vaste contactpersoon voor klachten over overlast en onderhoud, "
        "die binnen vijf werkdagen reageert.",
        "Woningcorporatie",
        "Spreekuur in het buurthuis",
        "Binnen zes weken",
    ),
    (
        "Jongerenwerk op vrijdagavond",
        "Het jongerenwerk houdt op vrijdagavond het buurthuis open tot 23.00 uur.",
        "Stichting jongerenwerk",
        "Buurthuis De Schakel",
        "Vanaf oktober",
    ),
    (
        "Verlichting in het steegje",
        "Er komt betere verlichting in het steegje tussen de Lindelaan en de Esdoornstraat.",
        "Gemeente",
        "Steegje Lindelaan–Esdoornstraat",
        "Voor de winter",
    ),
)

FRAMEWORKS = (
    ("Gemeente", "Budget", "Maatregelen passen binnen het wijkbudget van € 40.000 voor dit jaar."),
    (
        "Gemeente",
        "Openbare orde",
        "Afspraken mogen de taken van politie en handhaving niet overnemen.",
    ),
    (
        "Woningcorporatie",
        "Huurcontracten",
        "Afspraken veranderen niets aan bestaande huurcontracten.",
    ),
    ("Gemeente", "Bestemmingsplan", "Inrichting van openbare ruimte volgt het bestemmingsplan."),
)

THEMES = (
    ("Overlast en lawaai 's avonds", 14),
    ("Geen plek voor jongeren", 11),
    ("Je niet gehoord voelen door instanties", 9),
    ("Onveilig gevoel in het steegje", 6),
    ("Roddels en beeldvorming over families", 5),
)


# --- a tiny PNG writer -------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_gray_alpha(width: int, height: int, alpha: bytearray) -> bytes:
    """A grey+alpha PNG with dark ink wherever `alpha` (one byte per pixel) is set."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        row = alpha[y * width : (y + 1) * width]
        for a in row:
            raw += bytes((0x1A, a))
    header = struct.pack(">IIBBBBB", width, height, 8, 4, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + _chunk(b"IEND", b"")
    )


@lru_cache(maxsize=4096)
def signature_png(seed: int, width: int = 300, height: int = 100) -> bytes:
    """A random hand-drawn-looking scribble, the same for the same seed."""
    rng = random.Random(seed)
    alpha = bytearray(width * height)

    def dot(x: float, y: float) -> None:
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                px, py = int(x) + dx, int(y) + dy
                if 0 <= px < width and 0 <= py < height:
                    alpha[py * width + px] = (
                        255 if dx == 0 and dy == 0 else max(alpha[py * width + px], 150)
                    )

    x, y = rng.uniform(15, 40), rng.uniform(40, 70)
    for _stroke in range(rng.randint(2, 4)):
        heading = rng.uniform(-0.5, 0.5)
        for _step in range(rng.randint(80, 160)):
            heading += rng.uniform(-0.6, 0.6) + 0.25 * math.sin(x / 9.0)
            x += 1.6 * math.cos(heading) + 0.9
            y += 2.2 * math.sin(heading)
            y = min(max(y, 8), height - 8)
            if x >= width - 8:
                break
            dot(x, y)
        x = min(x + rng.uniform(5, 20), width - 40)
        y = rng.uniform(30, 70)
    return png_gray_alpha(width, height, alpha)


def _name(i: int) -> str:
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    last = LAST_NAMES[(i * 7 + i // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


def sample_record(
    n_signatures: int = 40,
    n_agreements: int = 3,
    n_frameworks: int = 3,
    n_declined: int = 2,
    n_not_signed: int = 1,
    anonymous: bool = False,
    language: str = "nl",
    with_images: bool = True,
    verify_url: str = SAMPLE_VERIFY_URL,
) -> dict[str, Any]:
    """A plan record of format plandag-plan/2 as the server would produce it (its
    verification address `verify_url` is part of the sealed record).

    Signature 1 is Fatima El Amrani; agreement 2 is "Speelplek bij de Lindelaan". The drawn
    signatures are ``signature_png(number)``; get the image map with `sample_images`.
    """
    n_agreements = max(0, min(n_agreements, len(AGREEMENTS)))
    n_frameworks = max(0, min(n_frameworks, len(FRAMEWORKS)))
    agreements = [
        {
            "id": 100 + i,
            "number": i,
            "title": title,
            "description": "",
            "what": what,
            "who": who,
            "where": where,
            "when": when,
            "concerns": ["Is er genoeg toezicht in de avond?"] if i == 2 else [],
            "proposal_version": 2 if i == 2 else 1,
            "version": 1,
            "changes": [],
        }
        for i, (title, what, who, where, when) in enumerate(AGREEMENTS[:n_agreements], start=1)
    ]
    frameworks = [
        {
            "id": 200 + i,
            "number": i,
            "party": party,
            "title": title,
            "description": description,
            "version": 2 if i == 1 else 1,
            "changed_after_lock": i == 1,
        }
        for i, (party, title, description) in enumerate(FRAMEWORKS[:n_frameworks], start=1)
    ]
    groups: list[dict[str, Any]] = []
    for g, group in enumerate(GROUPS):
        members = [_name(i) for i in range(max(n_signatures, 10)) if i % len(GROUPS) == g]
        groups.append(
            {
                "group": group,
                "roles": {
                    "participant": len(members) if group not in ("Gemeente",) else 0,
                    "informant": 1 if group == "Woningcorporatie" else 0,
                    "framework_party": len(members) if group == "Gemeente" else 0,
                    "observer": 1 if g == 0 else 0,
                },
                "names": [] if anonymous else members,
            }
        )
    total = sum(sum(g["roles"].values()) for g in groups)

    consent: list[dict[str, Any]] = []
    for a in agreements:
        rounds: list[dict[str, Any]] = [
            {
                "number": 1,
                "proposal_version": 1,
                "opened_at": "2025-06-12T12:05:00Z",
                "closed_at": "2025-06-12T12:14:00Z",
                "outcome": "not_adopted" if a["number"] == 2 else "adopted",
                "eligible": 38,
                "answered": 37 if a["number"] == 2 else 35,
                "counts": {"consent": 30, "concern": 5, "objection": 2 if a["number"] == 2 else 0,
                           "withdrawn": 0},
                "concerns": ["Wie ruimt het afval op?"] if a["number"] == 2 else [],
                "objections": [
                    {"reason": "Te dicht bij de slaapkamers van de benedenwoningen.",
                     "ending": "integrated", "later_round": 2, "later_version": 2,
                     "objector_answer": "consent",
                     "changes": [{"field": "where", "before": "Grasveld voor de Lindelaan",
                                  "after": "Grasveld achter de Lindelaan"}]},
                    {"reason": "Geen toezicht na 22.00 uur.", "ending": "integrated",
                     "later_round": 2, "later_version": 2, "objector_answer": "concern",
                     "changes": [{"field": "where", "before": "Grasveld voor de Lindelaan",
                                  "after": "Grasveld achter de Lindelaan"}]},
                ] if a["number"] == 2 else [],
            }
        ]  # fmt: skip
        if a["number"] == 2:
            rounds.append(
                {
                    "number": 2,
                    "proposal_version": 2,
                    "opened_at": "2025-06-12T12:31:00Z",
                    "closed_at": "2025-06-12T12:36:00Z",
                    "outcome": "adopted",
                    "eligible": 38,
                    "answered": 38,
                    "counts": {"consent": 33, "concern": 5, "objection": 0, "withdrawn": 0},
                    "concerns": ["Is er genoeg toezicht in de avond?"],
                    "objections": [],
                }
            )
        consent.append({"agreement_id": a["id"], "title": a["title"], "rounds": rounds})
    consent.append(
        {
            "agreement_id": None,
            "title": "Het hele plan",
            "rounds": [
                {
                    "number": 1,
                    "proposal_version": None,
                    "opened_at": "2025-06-12T13:02:00Z",
                    "closed_at": "2025-06-12T13:06:00Z",
                    "outcome": "adopted",
                    "eligible": 38,
                    "answered": 38,
                    "counts": {"consent": 36, "concern": 2, "objection": 0, "withdrawn": 0},
                    "concerns": [],
                    "objections": [],
                }
            ],
        }
    )

    entries = []
    for a in agreements:
        for f in frameworks:
            fits = not (a["number"] == 2 and f["number"] == 1 and n_agreements >= 2)
            entries.append(
                {
                    "agreement_id": a["id"],
                    "framework_id": f["id"],
                    "verdict": "fits" if fits else "does_not_fit",
                    "explanation": ""
                    if fits
                    else "Een trapveld met bankjes kost meer dan het budget dit jaar toelaat.",
                    "recorded_by": "Anouk Visser" if f["party"] == "Gemeente" else "Kees Smit",
                    "on_behalf": f["party"] == "Woningcorporatie",
                    "at": "2025-06-12T13:30:00Z",
                }
            )
    misfit = any(e["verdict"] == "does_not_fit" for e in entries)
    followups = (
        [
            {
                "id": 300,
                "number": 1,
                "agreement_id": 102,
                "what": "De gemeente zoekt aanvullend geld voor de speelplek en meldt de uitkomst "
                "in het buurtoverleg.",
                "who": "Wethouder met de afdeling openbare ruimte",
                "when": "Voor 1 oktober",
            },
            {
                "id": 301,
                "number": 2,
                "agreement_id": None,
                "what": "Iedereen krijgt een kopie van het ondertekende plan.",
                "who": "Procesbegeleiding",
                "when": "Binnen een week",
            },
        ]
        if misfit
        else []
    )

    signatures = []
    n_signed = n_signatures - n_declined
    for i in range(n_signatures):
        declined = i >= n_signed
        # signed ones are numbered 1..n, declined ones 1..m
        number = i - n_signed + 1 if declined else i + 1
        group = GROUPS[i % len(GROUPS)]
        drawn = with_images and not declined and number % 10 != 7
        signatures.append(
            {
                "number": number,
                "name": _name(i),
                "shown_as": _name(i).split()[0] if i else f"{_name(i).split()[0]} ({group})",
                "role": "framework_party" if group == "Gemeente" else "participant",
                "group": group,
                "at": f"2025-06-12T{14 + (i // 60) % 6:02d}:{i % 60:02d}:00Z",
                "status": "declined" if declined else "signed",
                "reason": DECLINE_REASON if declined and i % 2 else "",
                "image": hashlib.sha256(signature_png(number)).hexdigest() if drawn else None,
            }
        )

    record: dict[str, Any] = {
        "format": FORMAT,
        "meeting": {
            "id": "m-7f3c2a",
            "title": "Plandag Lindelaan",
            "date": "2025-06-12",
            "place": "Buurthuis De Schakel, Lindelaan 4",
            "language": language,
            "template": "nieuwe_route",
            "facilitators": ["Marleen Dekker", "Ravi Hoekstra"],
            "sealed_at": "2025-06-12T16:40:00Z",
        },
        "issue_statement": (
            "Sinds twee jaar is er spanning tussen bewoners van de Lindelaan en jongeren die "
            "'s avonds op het grasveld samenkomen. Bewoners ervaren overlast; jongeren voelen "
            "zich weggejaagd en hebben geen andere plek.\n\nBewoners en jongeren voelen zich "
            "niet gehoord door gemeente en woningcorporatie."
        ),
        "open_question": (
            "Wat kunnen we samen doen zodat iedereen zich weer thuis voelt aan de Lindelaan?"
        ),
        "frameworks": frameworks,
        "participants": {"anonymous": anonymous, "total": total, "groups": groups},
        "themes": [{"name": n, "contributions": c} for n, c in THEMES],
        "plan": {
            "agreements": agreements,
            "followup": "Als een afspraak niet werkt, roept het wijkteam binnen twee weken de "
            "kerngroep bij elkaar in het buurthuis.",
            "evaluation": "De kerngroep evalueert het plan op 12 december in Buurthuis De "
            "Schakel, met iedereen die wil aansluiten.",
        },
        "consent": consent,
        "framework_check": {
            "status": "changes_needed" if misfit else ("unchanged" if frameworks else "none"),
            "entries": entries,
            "followups": followups,
        },
        "signatures": signatures,
        "not_signed": [
            {
                "name": None if anonymous else f"Deelnemer {n}",
                "role": "participant",
                "group": GROUPS[n % len(GROUPS)],
            }
            for n in range(1, n_not_signed + 1)
        ],
        "verify_url": verify_url,
    }
    return record


def sample_images(record: dict[str, Any]) -> dict[str, bytes]:
    """The drawn signatures of a `sample_record`, by sha256 hex."""
    images: dict[str, bytes] = {}
    for signature in record.get("signatures", []):
        if signature.get("image"):
            png = signature_png(signature["number"])
            images[hashlib.sha256(png).hexdigest()] = png
    return images
