"""SpiffWorkflow's script engine, re-pointed at the sandbox for every script and expression."""
from __future__ import annotations

import traceback
from typing import Any, Mapping

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import feel, sandbox


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Runs diagram code through `sandbox` with trusted helper globals (JUEL helpers, business key)."""

    def __init__(self, extra_globals: Mapping[str, Any], limits: sandbox.Limits):
        super().__init__({})
        self.extra_globals = {**feel.HELPERS, **extra_globals}  # FEEL helpers for translated DMN cells
        self.limits = limits

    def evaluate(self, expression, context, external_context=None):
        if external_context:
            context = {**context, **external_context}
        return sandbox.evaluate(expression, context, self.extra_globals, self.limits)

    def execute(self, script, context, external_context=None):
        extra = {**self.extra_globals, **external_context} if external_context else self.extra_globals
        sandbox.execute(script, context, extra, self.limits)
        return True

    def call_service(self, context, **kwargs):
        raise NotImplementedError("service calls go through handlers or external workers")


class SandboxedScriptEngine(PythonScriptEngine):
    """Script engine whose errors carry the failing script line."""

    def __init__(self, extra_globals: Mapping[str, Any], limits: sandbox.Limits = sandbox.DEFAULT_LIMITS,
                 decision_resolver=None):
        super().__init__(environment=SandboxEnvironment(extra_globals, limits))
        self.decision_resolver = decision_resolver  # decision key -> latest DMNEngine (or None), per command

    def execute(self, task, script, external_context=None):
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except SpiffWorkflowException:
            raise
        except Exception as err:
            line = _script_line(err)
            error_line = script.splitlines()[line - 1] if line and line <= len(script.splitlines()) else ""
            detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            raise WorkflowTaskException(detail, task=task, exception=err, line_number=line,
                                        error_line=error_line) from err


def _script_line(err: BaseException) -> int:
    """Line of the innermost frame that belongs to sandboxed diagram code."""
    if isinstance(err, sandbox.SandboxViolation) and err.line:
        return err.line
    line = 0
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == sandbox.FILENAME:
            line = frame.lineno or 0
    return line
