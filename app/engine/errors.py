"""Engine exceptions: small, named, and carrying the BPMN context a diagram author needs."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with a deployed resource, located as precisely as we can."""

    message: str
    resource: str | None = None
    element_id: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = [w for w in (self.resource, self.element_id and f"element '{self.element_id}'",
                             self.line and f"line {self.line}") if w]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class EngineError(Exception):
    """Base of everything the engine raises on purpose."""


@dataclass
class DeploymentInvalid(EngineError):
    """A deployment was refused; nothing from it may be stored."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems) or "invalid deployment"


class TaskFailed(EngineError):
    """A script, expression, handler or engine step failed while running an instance."""

    def __init__(self, message: str, *, element_id: str | None = None, element_name: str | None = None,
                 line: int | None = None):
        super().__init__(message)
        self.element_id = element_id
        self.element_name = element_name
        self.line = line

    def __str__(self) -> str:
        where = self.element_id and f" (element '{self.element_id}'" + (
            f" '{self.element_name}'" if self.element_name else "") + (
            f", line {self.line}" if self.line else "") + ")"
        return f"{self.args[0]}{where or ''}"


class UncaughtBpmnError(TaskFailed):
    """A BPMN error was thrown where no error event catches its code."""


class TaskNotActive(EngineError):
    """The task is not (or no longer) waiting in this instance."""


class VariableError(EngineError):
    """A variable value cannot be stored or converted."""
