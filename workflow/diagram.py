"""The itinerary as a Mermaid state diagram, generated from the declaration."""

from __future__ import annotations

from .itinerary import STATES, TRANSITIONS, Phase

# Exits reach most stages; drawing every edge would hide the itinerary itself.
EXIT_NOTE = "withdraw / close without departure: from the open stages"


def itinerary_mermaid(*, include_exits: bool = False) -> str:
    lines = ["stateDiagram-v2", "    direction TB"]
    for phase in Phase:
        members = [s for s in STATES if s.phase == phase]
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
        for source in spec.sources:
            lines.append(f"    {source} --> {spec.target} : {spec.label}")
    for state in STATES:
        if state.terminal:
            lines.append(f"    {state.name} --> [*]")
    if not include_exits:
        lines.append(f"    note right of withdrawn : {EXIT_NOTE}")
    return "\n".join(lines) + "\n"
