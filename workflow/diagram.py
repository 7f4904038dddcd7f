"""The itinerary as a Mermaid state diagram, generated from the declaration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .itinerary import STATE_BY_NAME, STATES, TRANSITIONS, Phase, landing

if TYPE_CHECKING:
    from cases.models import Programme

# Exits reach most stages; drawing every edge would hide the itinerary itself.
EXIT_NOTE = "withdraw / close without departure: from the open stages"


def itinerary_mermaid(*, include_exits: bool = False, programme: Programme | None = None) -> str:
    """The whole declaration, or with ``programme`` only its phases, stages and moves."""

    def runs(stage: str) -> bool:
        return programme is None or programme.runs(STATE_BY_NAME[stage].phase)

    lines = ["stateDiagram-v2", "    direction TB"]
    for phase in Phase:
        members = [s for s in STATES if s.phase == phase and runs(s.name)]
        if not members:
            continue
        lines.append(f'    state "{phase.label}" as phase_{phase.value} {{')
        for state in members:
            lines.append(f'        {state.name} : {state.label}')
        lines.append("    }")
    lines.append(f"    [*] --> {STATES[0].name}")
    for spec in TRANSITIONS:
        if spec.kind == "exit" and not include_exits and spec.name != "reject":
            continue
        if programme is not None and not spec.offered_in(programme):
            continue
        target = landing(spec.target, programme) if programme else spec.target
        for source in filter(runs, spec.sources):
            lines.append(f"    {source} --> {target} : {spec.label}")
    for state in STATES:
        if state.terminal and runs(state.name):
            lines.append(f"    {state.name} --> [*]")
    if not include_exits:
        lines.append(f"    note right of withdrawn : {EXIT_NOTE}")
    return "\n".join(lines) + "\n"
