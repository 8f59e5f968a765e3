"""After the day: the sealed plan's page (agreement statuses and their updates, "not
working" signals, the people named for each agreement and to reconvene), meetings made
from a plan (to reconvene or to evaluate it), the .ics of its dates, and publication.
Imported by the facilitator's and the participant's pages, the public pages and the
plan's record (`shared.signing`, for the fingerprint a follow-up names); it uses
`shared.meeting` (a new meeting) and `shared.proposals` (its proposals) one way."""
