"""Run the main protocol scenarios against PostgreSQL instead of SQLite (by hand).

    .venv/bin/python bench/postgres_check.py postgresql://postgres@127.0.0.1:5433/plandag

The database must exist and be empty; the script migrates it, starts a real server on
a free loopback port and runs the scenarios of tests/protocol against it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.protocol import test_consent, test_proposals, test_room, test_sharing
from tests.support import Server

SCENARIOS = [
    test_room.test_fifty_phones_follow_the_facilitator_with_one_version,
    test_room.test_a_retried_advance_counts_once,
    test_sharing.test_a_hidden_contribution_leaves_the_beamer_and_every_phone_for_good,
    test_sharing.test_pre_moderation_and_anonymity,
    test_sharing.test_the_speaking_queue_keeps_the_order_of_concurrent_taps,
    test_sharing.test_framing_keeps_every_statement_version_and_its_answers,
    test_proposals.test_refusals_change_nothing,
    test_proposals.test_merging_keeps_supporters_counted_once,
    test_proposals.test_tables_their_hosts_and_back_to_plenary,
    test_consent.test_objections_need_a_reason_and_rounds_are_kept,
    test_consent.test_an_objector_withdraws_when_asked,
]


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5433/plandag"
    instance = Path(tempfile.mkdtemp(prefix="plandag-pg-"))
    server = Server(
        instance=instance,
        env_extra={"PLANDAG_DATABASE_URL": url, "PLANDAG_SECRET_KEY": "postgres-check"},
    ).start()
    passed = 0
    try:
        server.add_user("anna@example.org", "Anna de Vries")
        server.add_user("bram@example.org", "Bram Jansen")
        for scenario in SCENARIOS:
            try:
                scenario(server)
            except Exception:
                print("FAIL", scenario.__name__)
                traceback.print_exc(limit=3)
            else:
                passed += 1
                print("PASS", scenario.__name__)
    finally:
        server.stop()
        shutil.rmtree(instance, ignore_errors=True)
    print(f"{passed} of {len(SCENARIOS)} scenarios passed on {url}")
    return 0 if passed == len(SCENARIOS) else 1


if __name__ == "__main__":
    sys.exit(main())
