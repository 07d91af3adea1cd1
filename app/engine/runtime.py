"""Run process instances: start, complete tasks, deliver messages, change variables. Plain data in and out.

The engine holds no database and no web framework. Each call takes a definition's `SpecBundle`
and an instance's serialized state, advances the workflow as far as it can go (scripts,
gateways, pass-through tasks, service tasks whose topic has an in-process handler) and returns an
`Outcome`: the new state, the user tasks that opened and closed, the called processes to start,
the events it now waits for, and the process variables.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import EventSubprocess, ManualTask, NoneTask, ServiceTask, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions import (
    ErrorEventDefinition,
    MessageEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from . import juel, sandbox
from .activities import changes, snapshot
from .assignment import make_evaluator, record
from .call_activity import IN_KEY, OUT_KEY, CallActivityTask, business_key_expression, mapped
from .decisions import root_cause
from .errors import TaskFailed, TaskNotActive, UncaughtBpmnError
from .outcome import CallRequest, Context, Handler, HandlerCall, Outcome, WorkItem
from .script_engine import SandboxedScriptEngine
from .serializer import SpecBundle, dump_state
from .workflow_state import (
    FRONTIER,
    ancestors,
    hold_async,
    is_async,
    job_priority,
    process_variables,
    reconnect_event_subprocesses,
    subscriptions,
)

MAX_STEPS = 10_000
_CALLED = "kuaibao_called"  # internal_data flag: the service has been asked to start this call's instance


class Engine:
    """Runs instances with a fixed handler registry and sandbox limits."""

    def __init__(self, handlers: Mapping[str, Handler] | None = None,
                 limits: sandbox.Limits = sandbox.DEFAULT_LIMITS,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.handlers = dict(handlers or {})
        self.limits = limits
        self.clock = clock

    def start(self, bundle: SpecBundle, variables: Mapping[str, Any], ctx: Context,
              initiator: tuple[str, str] | None = None, past_start_timer: bool = False) -> Outcome:
        """Create an instance with its start variables and run it until it waits. `past_start_timer`: the
        timer of its start event has fired (the executor starts timer-started processes)."""
        run = _Run(self, bundle.new_workflow(), ctx, fresh=True)
        data = dict(variables)
        if initiator:
            data[initiator[0]] = initiator[1]
        run.wf.task_tree.data.update(data)
        if past_start_timer:
            run.guard(lambda: run.wf.do_engine_steps(did_complete_task=run.count))
            for task in run.wf.get_tasks(state=TaskState.WAITING):
                definition = getattr(task.task_spec, "event_definition", None)
                if isinstance(task.task_spec, StartEvent) and isinstance(definition, CycleTimerEventDefinition):
                    task.internal_data["event_value"] = {"cycles": 1, "duration": 1.0,
                                                         "next": datetime(2000, 1, 1, tzinfo=timezone.utc).isoformat()}
                elif isinstance(task.task_spec, StartEvent) and isinstance(definition, TimerEventDefinition):
                    task.internal_data["event_fired"] = True
            run.guard(run.wf.refresh_timers)
            run.guard(lambda: run.wf.do_engine_steps(did_complete_task=run.count))
            run.guard(run.wf.refresh_timers)
        return run.advance()

    def complete_user_task(self, bundle: SpecBundle, state: str, task_id: str,
                           variables: Mapping[str, Any], ctx: Context) -> Outcome:
        """Complete a ready user task with variables (set in process scope) and run on."""
        run = _Run(self, bundle.load(state), ctx)
        task = run.task(task_id, TaskState.READY, UserTaskMixin)
        run.set_variables(variables, ())
        task.data.update(variables)
        run.guard(task.run)
        return run.advance()

    def complete_call(self, bundle: SpecBundle, state: str, task_id: str, called_variables: Mapping[str, Any],
                      ctx: Context) -> Outcome:
        """The called instance ended: map its variables back (camunda:out) and run on."""
        run = _Run(self, bundle.load(state), ctx)
        task = run.task(task_id, TaskState.STARTED, CallActivityTask)
        task.data.update(mapped(task.task_spec.extensions.get(OUT_KEY) or [], called_variables, run.evaluate_juel))
        run.guard(task.complete)
        return run.advance()

    def run_handler(self, bundle: SpecBundle, state: str, task_id: str, ctx: Context, job_id: str) -> Outcome:
        """Run the in-process handler of a waiting service task (a job), then run on."""
        run = _Run(self, bundle.load(state), ctx)
        run.call_handler(run.task(task_id, TaskState.STARTED, ServiceTask), job_id)
        return run.advance()

    def run_async(self, bundle: SpecBundle, state: str, task_id: str, ctx: Context) -> Outcome:
        """Continue at an async continuation (camunda:asyncBefore/asyncAfter), then run on."""
        run = _Run(self, bundle.load(state), ctx)
        task = run.task(task_id, TaskState.READY, object)
        run.count(task)
        run.guard(task.run)
        return run.advance()

    def fire_timers(self, bundle: SpecBundle, state: str, ctx: Context) -> Outcome:
        """Fire the timers that are due and run on."""
        run = _Run(self, bundle.load(state), ctx)
        run.guard(run.wf.refresh_timers)
        return run.advance()

    def complete_external(self, bundle: SpecBundle, state: str, task_id: str, variables: Mapping[str, Any],
                          ctx: Context) -> Outcome:
        """An external worker finished a service task: its variables land in process scope; run on."""
        run = _Run(self, bundle.load(state), ctx)
        task = run.task(task_id, TaskState.STARTED, ServiceTask)
        run.set_variables(variables, ())
        task.data.update(variables)
        run.guard(task.complete)
        return run.advance()

    def throw_bpmn_error(self, bundle: SpecBundle, state: str, task_id: str, code: str, message: str | None,
                         variables: Mapping[str, Any], ctx: Context) -> Outcome:
        """A worker reports a business error at a service task: an error boundary event with that code (or
        none) catches it; with none waiting, the command fails (Camunda would end the execution unnoticed)."""
        run = _Run(self, bundle.load(state), ctx)
        task = run.task(task_id, TaskState.STARTED, ServiceTask)
        catchers = [t for t in run.wf.event_manager.tasks.values()
                    if isinstance(t.task_spec.event_definition, ErrorEventDefinition)
                    and t.task_spec.event_definition.code in (None, code) and t.parent is not None
                    and any(sibling.task_spec is task.task_spec for sibling in t.parent.children)]
        if not catchers:
            raise UncaughtBpmnError(f"no error boundary event on '{task.task_spec.bpmn_id}' catches error code "
                                    f"'{code}'", element_id=task.task_spec.bpmn_id,
                                    element_name=task.task_spec.bpmn_name)
        run.set_variables(variables, ())
        payload = {**variables, "errorCode": code, "errorMessage": message}
        run.guard(lambda: run.wf.catch(BpmnEvent(ErrorEventDefinition(code, code=code), payload, target=task.workflow)))
        return run.advance()

    def send_message(self, bundle: SpecBundle, state: str, name: str, variables: Mapping[str, Any],
                     ctx: Context) -> Outcome:
        """Deliver a message to a waiting catch event; its variables land in process scope."""
        return self._deliver(bundle, state, MessageEventDefinition(name), "message", variables, ctx)

    def send_signal(self, bundle: SpecBundle, state: str, name: str, variables: Mapping[str, Any],
                    ctx: Context) -> Outcome:
        """Deliver a signal to every catch event waiting for it in this instance."""
        return self._deliver(bundle, state, SignalEventDefinition(name), "signal", variables, ctx)

    def _deliver(self, bundle: SpecBundle, state: str, definition, kind: str, variables: Mapping[str, Any],
                 ctx: Context) -> Outcome:
        run = _Run(self, bundle.load(state), ctx)
        event_type = type(definition).__name__
        if not any(s.event_type == event_type and s.name == definition.name for s in run.subscriptions_before):
            raise TaskNotActive(f"the process instance is not waiting for {kind} '{definition.name}'")
        run.set_variables(variables, ())
        run.deliver(BpmnEvent(definition, dict(variables)))
        return run.advance()

    def set_variables(self, bundle: SpecBundle, state: str, modifications: Mapping[str, Any],
                      deletions: list[str] | tuple[str, ...], ctx: Context) -> Outcome:
        """Change process variables in every live branch (Camunda's single process scope)."""
        run = _Run(self, bundle.load(state), ctx)
        run.set_variables(modifications, deletions)
        return run.finish()

    def variables(self, bundle: SpecBundle, state: str) -> dict[str, Any]:
        """Process variables of a stored instance."""
        return process_variables(bundle.load(state))


class _Run:
    """One command on one workflow: remembers what was open and awaited when it began."""

    def __init__(self, engine: Engine, wf: BpmnWorkflow, ctx: Context, fresh: bool = False):
        self.engine, self.wf, self.ctx = engine, wf, ctx
        extra = {**juel.HELPERS, "business_key": ctx.business_key}
        wf.script_engine = SandboxedScriptEngine(extra, engine.limits, ctx.decisions)
        self.evaluate = make_evaluator(extra, engine.limits)
        hold_async(wf)
        if not fresh:
            reconnect_event_subprocesses(wf)
        self.open_before = set() if fresh else {t.id for t in self._user_tasks()}
        self.subscriptions_before = [] if fresh else subscriptions(wf)
        self.work_before = {} if fresh else self._work()
        self.activities_before = {} if fresh else snapshot(wf)
        self.steps = 0

    def evaluate_juel(self, text: str, data: Mapping[str, Any]):
        return self.evaluate(juel.translate_template(text), data)

    def _user_tasks(self):
        return [t for t in self.wf.get_tasks(state=TaskState.READY, manual=True)
                if isinstance(t.task_spec, UserTaskMixin)]

    def task(self, task_id: str, state: TaskState, spec_class: type):
        try:
            task = self.wf.get_task_from_id(UUID(task_id))
        except (ValueError, WorkflowException, KeyError):
            task = None
        if task is None or task.state != state or not isinstance(task.task_spec, spec_class):
            raise TaskNotActive(f"task {task_id} is not waiting in this process instance")
        return task

    def set_variables(self, modifications: Mapping[str, Any], deletions) -> None:
        targets = [t for t in self.wf.get_tasks(state=FRONTIER)] or [self.wf.task_tree]
        for t in targets:
            t.data.update(modifications)
            for name in deletions:
                t.data.pop(name, None)
        if self.wf.is_completed():
            self.wf.data.update(modifications)

    def guard(self, step: Callable[[], Any]):
        """Run an engine step, turning Spiff's errors into TaskFailed with BPMN context."""
        try:
            return step()
        except TaskFailed:
            raise
        except WorkflowTaskException as e:
            spec = e.task.task_spec if getattr(e, "task", None) is not None else None
            raise TaskFailed(_message(e), element_id=getattr(spec, "bpmn_id", None),
                             element_name=getattr(spec, "bpmn_name", None),
                             line=getattr(e, "line_number", None) or None) from e
        except (SpiffWorkflowException, sandbox.SandboxError) as e:
            raise TaskFailed(_message(e)) from e

    def count(self, task) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise TaskFailed(f"more than {MAX_STEPS} steps in one command: is there a loop without a wait state?",
                             element_id=task.task_spec.bpmn_id, element_name=task.task_spec.bpmn_name)

    def advance(self) -> Outcome:
        """Run engine steps and pass-through tasks until nothing moves; handlers and async continuations
        are left for the job executor (reported as work items)."""
        while True:
            self.guard(lambda: self.wf.do_engine_steps(did_complete_task=self.count))
            if not self._pass_through():
                return self.finish()

    def _pass_through(self) -> bool:
        """Camunda runs bpmn:task and bpmn:manualTask without waiting; Spiff would wait for a user."""
        moved = False
        for task in self.wf.get_tasks(state=TaskState.READY, manual=True):
            if isinstance(task.task_spec, (NoneTask, ManualTask)) and not isinstance(task.task_spec, UserTaskMixin) \
                    and not is_async(task.task_spec):
                self.count(task)
                self.guard(task.run)
                moved = True
        return moved

    def deliver(self, event: BpmnEvent) -> None:
        """Hand an event to the workflow; an interrupting event subprocess it starts cancels the rest."""
        before = set(self.wf.subprocesses)
        self.guard(lambda: self.wf.send_event(event))
        for task_id in set(self.wf.subprocesses) - before:
            task = self.wf.get_task_from_id(task_id)
            if isinstance(task.task_spec, EventSubprocess) and self._interrupting(task, event):
                keep = {task.id, *(a.id for a in ancestors(task))}
                for other in list(self.wf.tasks.values()):
                    if other.id not in keep and not other.has_state(TaskState.FINISHED_MASK) \
                            and other.parent is not None and other.parent.has_state(TaskState.FINISHED_MASK):
                        other.cancel()

    def _interrupting(self, task, event: BpmnEvent) -> bool:
        spec = self.wf.subprocess_specs.get(task.task_spec.spec)
        return any(start.event_definition == event.event_definition
                   and (start.extensions or {}).get("isInterrupting", "true") != "false"
                   for start in (spec.bpmn_start_events if spec else []))

    def call_handler(self, task, job_id: str) -> None:
        """Run the handler registered for the task's topic; its result lands in the task's data."""
        topic = task.task_spec.extensions.get("camunda:topic")
        handler = self.engine.handlers.get(topic)
        if handler is None:
            raise TaskFailed(f"no handler is registered for topic '{topic}'", element_id=task.task_spec.bpmn_id,
                             element_name=task.task_spec.bpmn_name)
        self.count(task)
        call = HandlerCall(dict(task.data), topic, task.task_spec.bpmn_id, self.ctx.business_key,
                           self.ctx.process_instance_id, self.ctx.records, job_id)
        try:
            result = handler(call)
        except Exception as e:  # a handler's failure fails the job, never half-applies it
            raise TaskFailed(f"handler for topic '{topic}' failed: {type(e).__name__}: {e}",
                             element_id=task.task_spec.bpmn_id, element_name=task.task_spec.bpmn_name) from e
        if result:
            task.data.update(result)
        self.guard(task.complete)

    def _work(self) -> dict[str, WorkItem]:
        """What waits outside the engine now, by task id."""
        items = {}
        for task in self.wf.get_tasks(state=TaskState.STARTED, spec_class=ServiceTask):
            ext = task.task_spec.extensions
            topic = ext.get("camunda:topic")
            kind = "handler" if topic in self.engine.handlers else "external"
            items[str(task.id)] = WorkItem(str(task.id), kind, task.task_spec.bpmn_id, topic,
                                           ext.get("camunda:failedJobRetryTimeCycle"), job_priority(ext))
        for task in self.wf.get_tasks(state=TaskState.READY, manual=True):
            if is_async(task.task_spec) and not isinstance(task.task_spec, UserTaskMixin):
                ext = task.task_spec.extensions
                items[str(task.id)] = WorkItem(str(task.id), "async", task.task_spec.bpmn_id, None,
                                               ext.get("camunda:failedJobRetryTimeCycle"), job_priority(ext))
        return items

    def _calls(self) -> list[CallRequest]:
        """Call activities reached in this command (each is reported once)."""
        requests = []
        for task in self.wf.get_tasks(state=TaskState.STARTED, spec_class=CallActivityTask):
            if task.internal_data.get(_CALLED):
                continue
            task.internal_data[_CALLED] = True
            ext = task.task_spec.extensions
            try:
                ins = ext.get(IN_KEY) or []
                key_expr = business_key_expression(ins)
                requests.append(CallRequest(
                    task_id=str(task.id), activity_id=task.task_spec.bpmn_id, called_element=ext["calledElement"],
                    binding=ext.get("camunda:calledElementBinding") or "latest",
                    version=ext.get("camunda:calledElementVersion"),
                    version_tag=ext.get("camunda:calledElementVersionTag"),
                    business_key=None if key_expr is None else str(self.evaluate_juel(key_expr, task.data)),
                    variables=mapped(ins, task.data, self.evaluate_juel)))
            except (ValueError, TypeError, KeyError, NameError, juel.JuelError, sandbox.SandboxError) as e:
                raise TaskFailed(f"cannot map the call's input: {e}", element_id=task.task_spec.bpmn_id,
                                 element_name=task.task_spec.bpmn_name) from e
        return requests

    def finish(self) -> Outcome:
        now = self.engine.clock()
        open_now = self._user_tasks()
        opened = []
        for t in open_now:
            if t.id not in self.open_before:
                try:
                    opened.append(record(t, self.evaluate, now))
                except (ValueError, TypeError, juel.JuelError, sandbox.SandboxError, NameError, KeyError) as e:
                    raise TaskFailed(f"cannot evaluate the task's assignment: {e}", element_id=t.task_spec.bpmn_id,
                                     element_name=t.task_spec.bpmn_name) from e
        closed = [str(i) for i in self.open_before - {t.id for t in open_now}]
        work_now = self._work()
        work_opened = [w for i, w in work_now.items() if i not in self.work_before]
        work_closed = [w for i, w in self.work_before.items() if i not in work_now]
        calls = self._calls()
        thrown = [(e.event_definition.name, dict(e.payload or {})) for e in self.wf.get_events()
                  if isinstance(e.event_definition, SignalEventDefinition)]
        waiting = subscriptions(self.wf)
        return Outcome(state=dump_state(self.wf), ended=self.wf.is_completed(), opened=opened, closed=closed,
                       variables=process_variables(self.wf), work_opened=work_opened, work_closed=work_closed, calls=calls,
                       signals_thrown=thrown,
                       subscriptions=waiting, subscriptions_changed=waiting != self.subscriptions_before,
                       activities=changes(self.wf, self.activities_before))


def _message(e: BaseException) -> str:
    """Spiff's message, its notes, and the underlying Python error it tends to drop."""
    text = str(e).strip() or type(e).__name__
    notes = [n for n in getattr(e, "__notes__", []) if n and n not in text]
    cause = root_cause(e)
    if cause and cause not in text and not any(cause in n for n in notes):
        notes.append(f"({cause})")
    return " ".join([text, *notes])
