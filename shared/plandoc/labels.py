"""The fixed wording of format ``plandag-plan/2`` (its record also seals the verification
address, ``verify_url``). Documents sealed in format ``plandag-plan/1`` are rendered and
verified with the frozen wording in ``format_v1``.

These labels are part of the document format, not of the user interface: a sealed plan
must re-render to exactly the same text when it is verified years later, so they are
never taken from gettext. Changing any text here changes the visible text of every
document; do that only together with a new format version (keep the old labels for
verifying old documents).
"""

from __future__ import annotations

from typing import Final

FORMAT: Final = "plandag-plan/2"
"""The format new plans are sealed in."""
FORMAT_V1: Final = "plandag-plan/1"
FORMATS: Final = (FORMAT_V1, FORMAT)
"""Formats this library renders and verifies (format 1 with the frozen `format_v1`)."""

LANGUAGES: Final = ("nl", "en")

LABELS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        # title page
        "subtitle": "Plan van de bijeenkomst",
        "date": "Datum",
        "place": "Plaats",
        "facilitators": "Procesbegeleiding",
        "template": "Werkwijze",
        "sealed": "Verzegeld op",
        "fingerprint": "Vingerafdruk",
        "not_recorded": "niet vastgelegd",
        "empty": "—",
        # issue statement
        "h_issue": "Kwestie en open vraag",
        "h_issue_statement": "Kwestieomschrijving",
        "h_open_question": "Open vraag",
        "no_issue_statement": "Geen kwestieomschrijving vastgelegd.",
        "no_open_question": "Geen open vraag vastgelegd.",
        # preparation (only in records that hold a go/no-go assessment)
        "h_preparation": "Voorbereiding",
        "preparation_assessed": (
            "De voorwaarden voor doorgaan (go/no-go) zijn vooraf beoordeeld; laatst op {date}. "
            "Uitkomst: {verdict}."
        ),
        "verdict_go": "doorgaan: aan alle voorwaarden is voldaan",
        "verdict_no_go": "een voorwaarde om niet door te gaan was aangegeven",
        "verdict_open": "niet alle voorwaarden zijn beoordeeld",
        "started_despite_no_go": (
            "De procesbegeleiding heeft de bijeenkomst bewust gestart terwijl een voorwaarde om "
            "niet door te gaan was aangegeven."
        ),
        # frameworks
        "h_frameworks": "Kaders",
        "frameworks_intro": (
            "De kaderstellende partijen hebben vooraf vastgelegd binnen welke grenzen het "
            "plan moet passen."
        ),
        "no_frameworks": "Geen kaders vastgesteld.",
        "col_number": "#",
        "col_party": "Kaderstellende partij",
        "col_framework": "Kader",
        "col_version": "Versie",
        "version": "versie {version}",
        "changed_after_lock": "gewijzigd na vastleggen",
        # participants
        "h_participants": "Deelnemers",
        "participants_total": "In totaal namen {total} mensen deel.",
        "participants_total_one": "In totaal nam 1 persoon deel.",
        "languages": "Talen waarin de deelnemers hun scherm lazen: {list}.",
        "language_count": "{name} ({n})",
        "lang_nl": "Nederlands",
        "lang_en": "Engels",
        "lang_ar": "Arabisch",
        "lang_tr": "Turks",
        "lang_pl": "Pools",
        "no_participants": "Geen deelnemers vastgelegd.",
        "col_group": "Groep",
        "col_total": "Totaal",
        "anonymous": "Deze bijeenkomst was anoniem: alleen aantallen worden vermeld.",
        "h_names": "Namen per groep",
        "group_names": "{group}: {names}",
        "no_group": "Zonder groep",
        # themes
        "h_themes": "Thema's",
        "themes_intro": (
            "De thema's uit het delen van ervaringen, met het aantal bijdragen per thema. "
            "Afzonderlijke bijdragen staan niet in dit document."
        ),
        "no_themes": "Geen thema's vastgelegd.",
        "col_theme": "Thema",
        "col_contributions": "Bijdragen",
        # plan
        "h_plan": "Het plan",
        "h_agreements": "Afspraken",
        "no_agreements": "Geen afspraken vastgelegd.",
        "col_agreement": "Afspraak",
        "col_who": "Wie",
        "col_where": "Waar",
        "col_when": "Wanneer",
        "agreement_concern": "Zorg: {text}",
        "h_followup": "Wie komt opnieuw bij elkaar als iets niet werkt",
        "h_evaluation": "Wie evalueert het plan, waar en wanneer",
        "no_text": "Niet vastgelegd.",
        "appointment": "Datum: {date}. Plaats: {place}.",
        # a meeting made from a sealed plan (only in such records)
        "h_follows": "Voortgekomen uit een eerder plan",
        "follows_reconvene": (
            "Deze bijeenkomst kwam opnieuw bijeen over het plan “{title}” ({date}), "
            "verzegeld met vingerafdruk {fingerprint}, over afspraak {numbers}."
        ),
        "follows_evaluation": (
            "Deze bijeenkomst evalueerde het plan “{title}” ({date}), verzegeld met "
            "vingerafdruk {fingerprint}, afspraak {numbers}."
        ),
        # publication (only in records where the room was asked)
        "h_publication": "Publicatie",
        "round_publication": "over publicatie",
        "publication_consented": "De zaal stemde in met publicatie van dit plan.",
        "publication_not_consented": "De zaal stemde niet in met publicatie van dit plan.",
        # consent
        "h_consent": "Instemmingsverslag",
        "consent_intro": (
            "Een voorstel is aangenomen wanneer niemand er een bezwaar tegen heeft. Per ronde "
            "staat hieronder hoeveel stemgerechtigden instemden, instemden met een zorg, een "
            "bezwaar hadden of hun bezwaar introkken, en wat er met elk bezwaar is gebeurd."
        ),
        "no_consent": "Geen instemmingsrondes gehouden.",
        "consent_agreement": "Afspraak {number}: {title}",
        "consent_item": "Voorstel: {title}",
        "consent_plan": "Het plan als geheel",
        "no_rounds": "Geen rondes gehouden.",
        "round": "Ronde {number}",
        "round_version": "over voorstelversie {version}",
        "round_plan": "over het plan als geheel",
        "round_time": "{opened} tot {closed}",
        "round_time_open": "geopend {opened}, niet gesloten",
        "outcome_adopted": "aangenomen",
        "outcome_not_adopted": "niet aangenomen: er stond een bezwaar",
        "outcome_superseded": (
            "vervangen: de tekst werd aangepast terwijl de ronde liep; een nieuwe ronde vroeg "
            "opnieuw"
        ),
        "round_counts": (
            "Van {eligible} stemgerechtigden antwoordden er {answered}: {consent} instemming, "
            "{concern} instemming met zorg, {objection} bezwaar, {withdrawn} bezwaar "
            "ingetrokken."
        ),
        "round_concern": "Zorg: {text}",
        "round_objection": "Bezwaar: {text}",
        "ending_withdrawn": "Afloop: ingetrokken door wie het bezwaar maakte.",
        "ending_integrated": (
            "Afloop: verwerkt in voorstelversie {version}, die in ronde {round} is aangenomen."
        ),
        "ending_integrated_plan": (
            "Afloop: verwerkt in het plan, dat in ronde {round} is aangenomen."
        ),
        "ending_answer_consent": "Wie het bezwaar maakte, stemde daarna in.",
        "ending_answer_concern": "Wie het bezwaar maakte, stemde daarna in met een zorg.",
        "ending_answer_none": "Wie het bezwaar maakte, antwoordde in die ronde niet.",
        "ending_raised_again": "Afloop: opnieuw ingebracht in ronde {round}.",
        "ending_adopted_unchanged": (
            "Afloop: dezelfde tekst is in ronde {round} aangenomen; het bezwaar is niet opnieuw "
            "ingebracht."
        ),
        "ending_standing": "Afloop: niet opgelost; het bezwaar bleef staan.",
        "ending_open": "Afloop: de ronde is niet gesloten.",
        "change_before": "Was ({field}): {text}",
        "change_after": "Werd ({field}): {text}",
        "field_title": "titel",
        "field_description": "toelichting",
        "field_what": "wat",
        "field_who": "wie",
        "field_where": "waar",
        "field_when": "wanneer",
        "field_followup": "wie komt weer bijeen",
        "field_evaluation": "wie evalueert",
        "field_of_agreement": "afspraak {number}, {field}",
        "h_changed_after": "Gewijzigd na aanneming",
        "changed_after": "Versie {version}, gewijzigd door {by} op {at}.",
        "agreement_changed_note": "Gewijzigd na aanneming (versie {version}); zie het verslag.",
        # kader check
        "h_check": "Kadertoets",
        "check_intro": (
            "Na de laatste instemmingsronde hebben de kaderstellende partijen elke afspraak "
            "getoetst aan de kaders."
        ),
        "no_check_entries": "Geen toetsingen vastgelegd.",
        "col_verdict": "Oordeel",
        "col_explanation": "Toelichting",
        "col_recorded_by": "Vastgelegd door",
        "verdict_fits": "past",
        "verdict_does_not_fit": "past niet",
        "recorded_by": "{name}, {at}",
        "recorded_on_behalf": "{name} namens {party}, {at}",
        "agreement_ref": "Afspraak {number}: {title}",
        "framework_ref": "Kader {number}: {title}",
        "unknown_agreement": "Afspraak (onbekend)",
        "unknown_framework": "Kader (onbekend)",
        "h_check_result": "Uitkomst van de kadertoets",
        "check_unchanged": ("Het plan gaat ongewijzigd door: elke afspraak past binnen elk kader."),
        "check_changes_needed": "Deze afspraken passen niet binnen de kaders:",
        "check_incomplete": "De kadertoets is niet afgerond.",
        "check_none": "Er waren geen kaders om het plan aan te toetsen.",
        "h_followups": "Vervolgafspraken",
        "no_followups": "Geen vervolgafspraken gemaakt.",
        "col_what": "Wat",
        "col_about": "Over afspraak",
        "about_plan": "het hele plan",
        # signatures
        "h_signatures": "Handtekeningen",
        "signatures_intro": (
            "Met hun handtekening laten de deelnemers weten dat zij achter dit plan staan."
        ),
        "signature_count": (
            "{eligible} konden tekenen: {signed} ondertekend, {declined} zagen ervan af, "
            "{missing} niet getekend."
        ),
        "no_signatures": "Geen handtekeningen.",
        "col_name": "Naam",
        "col_role": "Rol",
        "col_time": "Tijd",
        "col_signature": "Handtekening",
        "col_reason": "Reden",
        "h_declined": "Zagen af van ondertekening",
        "h_not_signed": "Niet getekend",
        "not_signed_intro": "Deze deelnemers konden tekenen, maar tekenden niet en zagen er ook "
        "niet van af.",
        "anonymous_person": "(anoniem)",
        "in_the_room": "in de zaal: {name}",
        "no_reason": "geen reden opgegeven",
        "signature_alt": "Handtekening van {name}",
        # seal
        "h_seal": "Verzegeling",
        "seal_intro": (
            "Dit document is bij het verzegelen digitaal ondertekend door de Plandag-server. "
            "Elke latere wijziging in de tekst of de handtekeningen komt bij controle aan het "
            "licht."
        ),
        "key_id": "Sleutel",
        "format": "Formaat",
        "verify_at": "Controlepagina",
        "verify_how": (
            "Zo controleert u dit document: scan de QR-code of ga naar {url} en upload dit "
            "bestand (Word of PDF). De controle laat zien of de tekst nog precies zo is als bij "
            "het verzegelen, en noemt elk onderdeel dat afwijkt."
        ),
        "verify_how_no_url": (
            "Zo controleert u dit document: upload dit bestand (Word of PDF) op de "
            "controlepagina van Plandag. De controle laat zien of de tekst nog precies zo is "
            "als bij het verzegelen, en noemt elk onderdeel dat afwijkt."
        ),
        "qr_alt": "QR-code naar de controlepagina",
        # header and footer (not part of the compared text)
        "page": "Pagina {page} van {pages}",
        # roles
        "role_participant": "deelnemer",
        "role_informant": "informant",
        "role_framework_party": "kaderstellende partij",
        "role_observer": "waarnemer",
        "role_facilitator": "procesbegeleider",
        "col_role_participant": "Deelnemers",
        "col_role_informant": "Informanten",
        "col_role_framework_party": "Kaderstellende partijen",
        "col_role_observer": "Waarnemers",
        # templates
        "template_alle_hens": "Alle Hens-conferentie",
        "template_nieuwe_route": "Nieuwe Route herstelproces",
        "template_custom": "Eigen opzet",
        # dates
        "datetime": "{date} om {time}",
        "date_short": "{day:02d}-{month:02d}-{year}",
        "months": "januari februari maart april mei juni juli augustus september oktober "
        "november december",
        "weekdays": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
        "date_long": "{weekday} {day} {month} {year}",
        "date_medium": "{day} {month} {year}",
        "list_and": " en ",
    },
    "en": {
        "subtitle": "Plan of the meeting",
        "date": "Date",
        "place": "Place",
        "facilitators": "Facilitators",
        "template": "Process",
        "sealed": "Sealed on",
        "fingerprint": "Fingerprint",
        "not_recorded": "not recorded",
        "empty": "—",
        "h_issue": "Issue and open question",
        "h_issue_statement": "Issue statement",
        "h_open_question": "Open question",
        "no_issue_statement": "No issue statement recorded.",
        "no_open_question": "No open question recorded.",
        "h_preparation": "Preparation",
        "preparation_assessed": (
            "The conditions for going ahead (go/no-go) were assessed beforehand; last on "
            "{date}. Outcome: {verdict}."
        ),
        "verdict_go": "go: every condition was met",
        "verdict_no_go": "a no-go condition was marked",
        "verdict_open": "not every condition was assessed",
        "started_despite_no_go": (
            "The facilitators knowingly started the meeting while a no-go condition was marked."
        ),
        "h_frameworks": "Frameworks",
        "frameworks_intro": (
            "The framework-setting parties recorded beforehand the limits within which the "
            "plan must fit."
        ),
        "no_frameworks": "No frameworks were set.",
        "col_number": "#",
        "col_party": "Framework party",
        "col_framework": "Framework",
        "col_version": "Version",
        "version": "version {version}",
        "changed_after_lock": "changed after the lock",
        "h_participants": "Participants",
        "participants_total": "{total} people took part in total.",
        "participants_total_one": "1 person took part in total.",
        "languages": "Languages the participants read their screens in: {list}.",
        "language_count": "{name} ({n})",
        "lang_nl": "Dutch",
        "lang_en": "English",
        "lang_ar": "Arabic",
        "lang_tr": "Turkish",
        "lang_pl": "Polish",
        "no_participants": "No participants recorded.",
        "col_group": "Group",
        "col_total": "Total",
        "anonymous": "This meeting was anonymous: only numbers are shown.",
        "h_names": "Names by group",
        "group_names": "{group}: {names}",
        "no_group": "No group",
        "h_themes": "Themes",
        "themes_intro": (
            "The themes from sharing experiences, with the number of contributions per "
            "theme. Individual contributions are not part of this document."
        ),
        "no_themes": "No themes recorded.",
        "col_theme": "Theme",
        "col_contributions": "Contributions",
        "h_plan": "The plan",
        "h_agreements": "Agreements",
        "no_agreements": "No agreements recorded.",
        "col_agreement": "Agreement",
        "col_who": "Who",
        "col_where": "Where",
        "col_when": "When",
        "agreement_concern": "Concern: {text}",
        "h_followup": "Who comes together again if something does not work",
        "h_evaluation": "Who evaluates the plan, where and when",
        "no_text": "Not recorded.",
        "appointment": "Date: {date}. Place: {place}.",
        "h_follows": "Made from an earlier plan",
        "follows_reconvene": (
            "This meeting reconvened about the plan “{title}” ({date}), sealed with "
            "fingerprint {fingerprint}, on agreement {numbers}."
        ),
        "follows_evaluation": (
            "This meeting evaluated the plan “{title}” ({date}), sealed with "
            "fingerprint {fingerprint}, agreement {numbers}."
        ),
        "h_publication": "Publication",
        "round_publication": "on publication",
        "publication_consented": "The room consented to publishing this plan.",
        "publication_not_consented": "The room did not consent to publishing this plan.",
        "h_consent": "Consent record",
        "consent_intro": (
            "A proposal is adopted when nobody has an objection to it. For each round, the "
            "record below shows how many eligible people consented, consented with a concern, "
            "objected or withdrew their objection, and what happened to each objection."
        ),
        "no_consent": "No consent rounds were held.",
        "consent_agreement": "Agreement {number}: {title}",
        "consent_item": "Proposal: {title}",
        "consent_plan": "The plan as a whole",
        "no_rounds": "No rounds were held.",
        "round": "Round {number}",
        "round_version": "on proposal version {version}",
        "round_plan": "on the plan as a whole",
        "round_time": "{opened} to {closed}",
        "round_time_open": "opened {opened}, not closed",
        "outcome_adopted": "adopted",
        "outcome_not_adopted": "not adopted: an objection stood",
        "outcome_superseded": (
            "superseded: the text was amended while the round was open; a new round asked again"
        ),
        "round_counts": (
            "Of {eligible} eligible, {answered} answered: {consent} consent, {concern} consent "
            "with a concern, {objection} objection, {withdrawn} objection withdrawn."
        ),
        "round_concern": "Concern: {text}",
        "round_objection": "Objection: {text}",
        "ending_withdrawn": "Outcome: withdrawn by the person who objected.",
        "ending_integrated": (
            "Outcome: integrated in proposal version {version}, adopted in round {round}."
        ),
        "ending_integrated_plan": "Outcome: integrated in the plan, adopted in round {round}.",
        "ending_answer_consent": "The person who objected then consented.",
        "ending_answer_concern": "The person who objected then consented with a concern.",
        "ending_answer_none": "The person who objected did not answer in that round.",
        "ending_raised_again": "Outcome: raised again in round {round}.",
        "ending_adopted_unchanged": (
            "Outcome: the same text was adopted in round {round}; the objection was not raised "
            "again."
        ),
        "ending_standing": "Outcome: not resolved; the objection stood.",
        "ending_open": "Outcome: the round was not closed.",
        "change_before": "Was ({field}): {text}",
        "change_after": "Became ({field}): {text}",
        "field_title": "title",
        "field_description": "description",
        "field_what": "what",
        "field_who": "who",
        "field_where": "where",
        "field_when": "when",
        "field_followup": "who comes together again",
        "field_evaluation": "who evaluates",
        "field_of_agreement": "agreement {number}, {field}",
        "h_changed_after": "Changed after adoption",
        "changed_after": "Version {version}, changed by {by} on {at}.",
        "agreement_changed_note": "Changed after adoption (version {version}); see the record.",
        "h_check": "Framework check",
        "check_intro": (
            "After the final consent round, the framework-setting parties tested every "
            "agreement against the frameworks."
        ),
        "no_check_entries": "No checks recorded.",
        "col_verdict": "Verdict",
        "col_explanation": "Explanation",
        "col_recorded_by": "Recorded by",
        "verdict_fits": "fits",
        "verdict_does_not_fit": "does not fit",
        "recorded_by": "{name}, {at}",
        "recorded_on_behalf": "{name} on behalf of {party}, {at}",
        "agreement_ref": "Agreement {number}: {title}",
        "framework_ref": "Framework {number}: {title}",
        "unknown_agreement": "Agreement (unknown)",
        "unknown_framework": "Framework (unknown)",
        "h_check_result": "Result of the framework check",
        "check_unchanged": "The plan goes ahead unchanged: every agreement fits every framework.",
        "check_changes_needed": "These agreements do not fit the frameworks:",
        "check_incomplete": "The framework check was not completed.",
        "check_none": "There were no frameworks to test the plan against.",
        "h_followups": "Follow-up agreements",
        "no_followups": "No follow-up agreements were made.",
        "col_what": "What",
        "col_about": "About agreement",
        "about_plan": "the whole plan",
        "h_signatures": "Signatures",
        "signatures_intro": "By signing, the participants show that they stand behind this plan.",
        "signature_count": (
            "{eligible} could sign: {signed} signed, {declined} declined, {missing} did not sign."
        ),
        "no_signatures": "No signatures.",
        "col_name": "Name",
        "col_role": "Role",
        "col_time": "Time",
        "col_signature": "Signature",
        "col_reason": "Reason",
        "h_declined": "Declined to sign",
        "h_not_signed": "Did not sign",
        "not_signed_intro": "These participants could sign, but neither signed nor declined.",
        "anonymous_person": "(anonymous)",
        "in_the_room": "in the room: {name}",
        "no_reason": "no reason given",
        "signature_alt": "Signature of {name}",
        "h_seal": "Seal",
        "seal_intro": (
            "When it was sealed, this document was digitally signed by the Plandag server. Any "
            "later change to its text or signatures comes to light when it is verified."
        ),
        "key_id": "Key",
        "format": "Format",
        "verify_at": "Verification page",
        "verify_how": (
            "To verify this document, scan the QR code or go to {url} and upload this file "
            "(Word or PDF). The check shows whether the text is still exactly as it was when "
            "sealed, and names every part that differs."
        ),
        "verify_how_no_url": (
            "To verify this document, upload this file (Word or PDF) on Plandag's "
            "verification page. The check shows whether the text is still exactly as it was "
            "when sealed, and names every part that differs."
        ),
        "qr_alt": "QR code linking to the verification page",
        "page": "Page {page} of {pages}",
        "role_participant": "participant",
        "role_informant": "informant",
        "role_framework_party": "framework party",
        "role_observer": "observer",
        "role_facilitator": "facilitator",
        "col_role_participant": "Participants",
        "col_role_informant": "Informants",
        "col_role_framework_party": "Framework parties",
        "col_role_observer": "Observers",
        "template_alle_hens": "Alle Hens conference",
        "template_nieuwe_route": "Nieuwe Route restorative process",
        "template_custom": "Custom process",
        "datetime": "{date} at {time}",
        "date_short": "{year}-{month:02d}-{day:02d}",
        "months": "January February March April May June July August September October "
        "November December",
        "weekdays": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
        "date_long": "{weekday} {day} {month} {year}",
        "date_medium": "{day} {month} {year}",
        "list_and": " and ",
    },
}

ROLES: Final = ("participant", "informant", "framework_party", "observer")
