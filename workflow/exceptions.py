"""Why a move was refused, each with the HTTP status an API client should see."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class TransitionError(Exception):
    status_code = 409

    def __init__(self, message: str, *, reasons: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = list(reasons)


class UnknownTransition(TransitionError):
    status_code = 404


class NotPermitted(TransitionError):
    status_code = 403


class TransitionNotPossible(TransitionError):
    """Not from this stage, or guards or open checklist items stand in the way."""

    status_code = 409


class StaleVersion(TransitionError):
    status_code = 409

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class InvalidInput(TransitionError):
    status_code = 400

    def __init__(self, message: str, *, errors: Mapping[str, Sequence[str]]) -> None:
        super().__init__(message)
        self.errors = {field: list(messages) for field, messages in errors.items()}
