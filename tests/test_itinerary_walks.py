"""Random valid walks through the itinerary never break its invariants."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cases.demo import checklist_complete, sample_input
from cases.models import Case, CaseEvent, ChecklistItem
from cases.services import case_create, checklist_item_set_done
from tests.conftest import PARTICIPANT
from workflow.checklists import CHECKLISTS
from workflow.exceptions import TransitionNotPossible
from workflow.itinerary import STATE_BY_NAME, TRANSITION_BY_NAME, outgoing
from workflow.selectors import transition_options
from workflow.services import case_advance


class ItineraryWalk(RuleBasedStateMachine):
    """One case, moved by random allowed transitions, ticks and overrides."""

    def __init__(self, actors):
        super().__init__()
        self.caseworker, self.coordinator = actors
        # Each walk runs in a transaction of its own, rolled back in teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.case = case_create(
            actor=self.caseworker, programme=self.caseworker.organisation.programme_set_first,
            participant=dict(PARTICIPANT),
        )
        self.fired = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def refresh(self):
        self.case = Case.objects.get(pk=self.case.pk)

    @precondition(lambda self: self.case.is_open)
    @rule(data=st.data())
    def fire_an_allowed_transition(self, data):
        options = [o for o in transition_options(case=self.case, user=self.caseworker) if o.allowed]
        if not options:
            checklist_complete(case=self.case, actor=self.caseworker)
            options = [o for o in transition_options(case=self.case, user=self.caseworker) if o.allowed]
        option = data.draw(st.sampled_from(options))
        before = self.case.stage
        self.case = case_advance(
            case=self.case, transition=option.spec.name, actor=self.caseworker,
            version=self.case.version, data=sample_input(option.spec, self.case),
        )
        self.fired += 1
        assert before in option.spec.sources and self.case.stage == option.spec.target

    @precondition(lambda self: self.case.is_open)
    @rule(data=st.data(), done=st.booleans())
    def tick_an_item(self, data, done):
        items = list(self.case.current_checklist())
        if items:
            item = data.draw(st.sampled_from(items))
            checklist_item_set_done(item=item, actor=self.caseworker, done=done)

    @precondition(lambda self: self.case.is_open)
    @rule()
    def coordinator_overrides_forward(self):
        forward = [
            o for o in transition_options(case=self.case, user=self.coordinator)
            if o.spec.kind == "forward" and not any("checklist" not in r for r in o.reasons)
        ]
        if forward:
            spec = forward[0].spec
            self.case = case_advance(
                case=self.case, transition=spec.name, actor=self.coordinator,
                version=self.case.version, data=sample_input(spec, self.case),
                override_reason="Checked on paper.",
            )
            self.fired += 1

    @rule(name=st.sampled_from(sorted(TRANSITION_BY_NAME)))
    def a_move_not_offered_is_refused_and_changes_nothing(self, name):
        spec = TRANSITION_BY_NAME[name]
        if self.case.stage in spec.sources:
            return
        before = (self.case.stage, self.case.version, CaseEvent.objects.count())
        with pytest.raises(TransitionNotPossible):
            case_advance(
                case=self.case, transition=name, actor=self.caseworker,
                version=self.case.version, data=sample_input(spec, self.case),
            )
        self.refresh()
        assert (self.case.stage, self.case.version, CaseEvent.objects.count()) == before

    @invariant()
    def version_counts_the_moves(self):
        self.refresh()
        moves = CaseEvent.objects.filter(case=self.case, kind="transition").count()
        assert moves == self.fired
        assert self.case.version == 1 + moves

    @invariant()
    def one_checklist_set_per_stage_entry(self):
        entries = CaseEvent.objects.filter(case=self.case, kind__in=["created", "transition"])
        for entry in entries:
            codes = list(ChecklistItem.objects.filter(entry_event=entry).values_list("code", flat=True))
            assert sorted(codes) == sorted(s.code for s in CHECKLISTS.get(entry.to_stage, ()))
        assert self.case.current_entry == entries.order_by("-created_at", "-id").first()

    @invariant()
    def the_stage_is_where_the_last_move_led(self):
        last = CaseEvent.objects.filter(case=self.case, kind__in=["created", "transition"]).first()
        assert last.to_stage == self.case.stage
        assert (self.case.closed_at is not None) == STATE_BY_NAME[self.case.stage].terminal
        assert bool(outgoing(self.case.stage)) == self.case.is_open


def test_random_walks_keep_the_invariants(caseworker, coordinator, programme):
    from hypothesis.stateful import run_state_machine_as_test

    caseworker.organisation.programme_set_first = programme
    run_state_machine_as_test(
        lambda: ItineraryWalk((caseworker, coordinator)),
        settings=settings(
            max_examples=25, stateful_step_count=25, deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
