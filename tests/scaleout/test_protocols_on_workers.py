"""The room, consent and signing protocol tests of tests/protocol, run again through
nginx in front of two workers on PostgreSQL and Redis (tests/protocol runs them on
SQLite and one process)."""

from __future__ import annotations

import pytest

from tests.protocol import test_consent, test_plan_document, test_room
from tests.scaleout.conftest import Cluster

pytestmark = pytest.mark.scaleout


def test_fifty_phones_follow_the_facilitator_through_nginx(cluster: Cluster):
    test_room.test_fifty_phones_follow_the_facilitator_with_one_version(cluster.front)


def test_a_retried_advance_counts_once_through_nginx(cluster: Cluster):
    test_room.test_a_retried_advance_counts_once(cluster.front)


def test_objections_need_a_reason_and_rounds_are_kept_on_two_workers(cluster: Cluster):
    test_consent.test_objections_need_a_reason_and_rounds_are_kept(cluster.front)


def test_an_objector_withdraws_when_asked_on_two_workers(cluster: Cluster):
    test_consent.test_an_objector_withdraws_when_asked(cluster.front)


def test_a_plan_sealed_through_nginx_verifies_on_each_worker(cluster: Cluster):
    """Signed through nginx (requests on both workers), and checked on each worker
    directly: they share the seal key."""
    sealed = test_plan_document.seal_a_meeting(cluster.front)
    test_plan_document.test_the_document_holds_every_agreement_kader_followup_and_signature(sealed)
    for worker in cluster.workers:
        test_plan_document.test_an_untouched_copy_is_valid(worker, sealed)
