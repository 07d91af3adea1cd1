"""Historic variable instances: the variable table, which keeps the variables of ended instances too.

A deleted variable's row is gone, so every variable is in state CREATED and `includeDeleted` changes nothing.
Variables live in the process scope: the execution and the activity instance are the process instance, and
no variable belongs to a task."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ProcessInstance, Variable
from . import authz
from . import typed_values as tv
from .context import Actor, Kuaibao
from .errors import InvalidRequest, NotFound
from .history_common import nothing_if, removal_time, value_condition, with_removal
from .queries import Page, Sorting, apply_page, apply_sorting

V, PI = Variable, ProcessInstance


@dataclass
class HistoricVariableQuery:
    """Camunda's historic variable instance query criteria, in snake case."""

    variable_name: str | None = None
    variable_name_like: str | None = None
    variable_name_in: list[str] | None = None
    variable_value: object = None
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False
    variable_type_in: list[str] | None = None
    include_deleted: bool = False
    process_instance_id: str | None = None
    process_instance_id_in: list[str] | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    execution_id_in: list[str] | None = None
    activity_instance_id_in: list[str] | None = None
    task_id_in: list[str] | None = None
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    case_instance_id: str | None = None
    case_execution_id_in: list[str] | None = None
    case_activity_id_in: list[str] | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


SORT_COLUMNS = {"instanceId": V.process_instance_id, "variableName": V.name, "tenantId": PI.tenant_id}


def _conditions(q: HistoricVariableQuery) -> list:
    ignore_name = q.variable_names_ignore_case
    name = func.lower(V.name) if ignore_name else V.name
    where = [] if q.variable_name is None else [name == (q.variable_name.lower() if ignore_name else q.variable_name)]
    if q.variable_value is not None:
        if q.variable_name is None:
            raise InvalidRequest("Only a single variable value parameter specified: variable name and value are "
                                 "required to be able to query after a specific variable value.")
        where.append(value_condition("eq", q.variable_value, q.variable_values_ignore_case))
    if q.variable_name_like is not None:
        where.append(name.like(q.variable_name_like.lower() if ignore_name else q.variable_name_like))
    equal = [(V.process_instance_id, q.process_instance_id), (PI.definition_id, q.process_definition_id),
             (PI.definition_key, q.process_definition_key)]
    where += [column == value for column, value in equal if value is not None]
    within = [(V.name, q.variable_name_in), (V.process_instance_id, q.process_instance_id_in),
              (V.process_instance_id, q.execution_id_in), (V.process_instance_id, q.activity_instance_id_in),
              (PI.tenant_id, q.tenant_id_in)]
    where += [column.in_(values) for column, values in within if values]
    if q.variable_type_in:
        where.append(func.lower(V.type).in_([t.lower() for t in q.variable_type_in]))
    if q.without_tenant_id:
        where.append(PI.tenant_id.is_(None))
    return where + nothing_if(q.task_id_in, q.case_instance_id, q.case_execution_id_in, q.case_activity_id_in)


def _readable(s: Session, kb: Kuaibao, actor: Actor) -> list:
    where = authz.policy(kb, actor, s).instance_filter(PI, history=True)
    return [] if where is None else [where]


def _listed():
    columns = (V.id, V.name, V.type, V.value, V.value_info, V.created, V.process_instance_id,
               PI.definition_id, PI.definition_key, PI.tenant_id, PI.root_process_instance_id)
    stmt = select(*columns).join(PI, PI.id == V.process_instance_id)
    return with_removal(stmt, func.coalesce(PI.root_process_instance_id, PI.id))


def _row(kb: Kuaibao, r) -> dict:
    return dict(id=r.id, name=r.name, typed=tv.from_columns(r.type, r.value, r.value_info),
                process_definition_key=r.definition_key, process_definition_id=r.definition_id,
                process_instance_id=r.process_instance_id, tenant_id=r.tenant_id, create_time=r.created,
                root_process_instance_id=r.root_process_instance_id or r.process_instance_id,
                removal_time=removal_time(r.root_end_time, r.root_ttl, kb.settings))


def list_historic_variables(kb: Kuaibao, actor: Actor, q: HistoricVariableQuery) -> list[dict]:
    """A page of variables of instances the caller may read; `typed` holds the TypedValue."""
    def work(s: Session):
        stmt = apply_sorting(_listed().where(*_readable(s, kb, actor), *_conditions(q)), q.sorting, SORT_COLUMNS)
        stmt = apply_page(stmt.order_by(V.process_instance_id, V.name), q.page)
        return [_row(kb, r) for r in s.execute(stmt)]
    return kb.read(work)


def count_historic_variables(kb: Kuaibao, actor: Actor, q: HistoricVariableQuery) -> int:
    """How many match (paging and sorting aside; an invalid sortBy is still a 400)."""
    apply_sorting(select(V.id), q.sorting, SORT_COLUMNS)
    return kb.read(lambda s: s.scalar(select(func.count(V.id)).join(PI, PI.id == V.process_instance_id)
                                      .where(*_readable(s, kb, actor), *_conditions(q))))


def get_historic_variable(kb: Kuaibao, actor: Actor, variable_id: str) -> dict:
    """One variable; one the caller may not read is reported exactly like one that does not exist."""
    found = kb.read(lambda s: s.execute(_listed().where(V.id == variable_id, *_readable(s, kb, actor))).first())
    if found is None:
        raise NotFound(f"Historic variable instance with Id '{variable_id}' does not exist.")
    return _row(kb, found)
