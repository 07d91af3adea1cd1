"""/history: process instances, activity instances, tasks, variables and the user operation log, as Camunda
serves them (GET and POST queries, counts, by id), and deleting a finished instance's history."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, request

from ..services import history_activities as activities
from ..services import history_queries as instances
from ..services import history_tasks as tasks
from ..services import history_variables as variables
from ..services import oplog_queries as oplog
from ..services import typed_values as tv
from ..services.history_deletion import delete_historic_instance
from . import docs
from .errors import RestError
from .http import actor, criteria, flag, kb, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema
from .schemas.history import (
    HistoricActivityInstanceSchema,
    HistoricProcessInstanceSchema,
    HistoricTaskInstanceSchema,
    HistoricVariableInstanceSchema,
    UserOperationLogEntrySchema,
)
from .schemas.history_queries import (
    HistoricActivityQuerySchema,
    HistoricInstanceQuerySchema,
    HistoricTaskQuerySchema,
    HistoricVariableQuerySchema,
    OperationLogQuerySchema,
)

bp = Blueprint("history", __name__)


def _queries(path: str, what: str, query_class, query_schema, dto, list_rows: Callable, count_rows: Callable,
             with_post: bool = True, shape: Callable[[list], list] = lambda rows: rows) -> None:
    """Register Camunda's query quartet for one history resource: GET and POST (JSON criteria) list and count."""
    name = path.rsplit("/", 1)[-1].replace("-", "_")

    def listing(from_body: bool):
        def view():
            found = list_rows(kb(), actor(), criteria(query_class, cached(query_schema), from_body))
            return ok(cached(dto, many=True).dump(shape(found)))
        return view

    def counting(from_body: bool):
        def view():
            return ok({"count": count_rows(kb(), actor(), criteria(query_class, cached(query_schema), from_body))})
        return view

    routes = [("GET", path, "list", listing(False), f"Query {what}", dict(query=query_schema, response=dto, many=True)),
              ("GET", f"{path}/count", "count", counting(False), f"Count {what}",
               dict(query=query_schema, response=CountSchema))]
    if with_post:
        routes += [("POST", path, "list_post", listing(True), f"Query {what} (JSON criteria)",
                    dict(body=query_schema, response=dto, many=True)),
                   ("POST", f"{path}/count", "count_post", counting(True), f"Count {what} (JSON criteria)",
                    dict(body=query_schema, response=CountSchema))]
    for method, rule, suffix, view, summary, meta in routes:
        bp.add_url_rule(rule, f"{name}_{suffix}", docs.doc(summary, **meta)(view), methods=[method])


def _with_values(rows: list[dict]) -> list[dict]:
    """Add each variable's wire form; deserializeValues=false leaves Object values serialized, as in Camunda."""
    deserialize = (request.args.get("deserializeValues") or request.args.get("deserializeValue") or "true"
                   ).lower() != "false"
    return [{**row, **tv.to_rest(row["typed"], deserialize)} for row in rows]


_queries("/history/process-instance", "process instances, running and ended", instances.HistoricInstanceQuery,
         HistoricInstanceQuerySchema, HistoricProcessInstanceSchema, instances.list_historic_instances,
         instances.count_historic_instances)
_queries("/history/activity-instance", "activity instances", activities.HistoricActivityQuery,
         HistoricActivityQuerySchema, HistoricActivityInstanceSchema, activities.list_historic_activities,
         activities.count_historic_activities)
_queries("/history/task", "user tasks, open and finished", tasks.HistoricTaskQuery, HistoricTaskQuerySchema,
         HistoricTaskInstanceSchema, tasks.list_historic_tasks, tasks.count_historic_tasks)
_queries("/history/variable-instance", "variables of running and ended instances", variables.HistoricVariableQuery,
         HistoricVariableQuerySchema, HistoricVariableInstanceSchema, variables.list_historic_variables,
         variables.count_historic_variables, shape=_with_values)
_queries("/history/user-operation", "the user operation log", oplog.OperationLogQuery, OperationLogQuerySchema,
         UserOperationLogEntrySchema, oplog.list_operations, oplog.count_operations, with_post=False)


@bp.get("/history/process-instance/<id>")
@docs.doc("A process instance, running or ended", response=HistoricProcessInstanceSchema)
def process_instance(id):
    return ok(cached(HistoricProcessInstanceSchema).dump(instances.get_historic_instance(kb(), actor(), id)))


@bp.delete("/history/process-instance/<id>")
@docs.doc("Delete the history of a finished process instance (and of the instances it called)", status=204)
def delete_process_instance(id):
    delete_historic_instance(kb(), actor(), id, fail_if_not_exists=flag("failIfNotExists", True))
    return no_content()


@bp.get("/history/activity-instance/<id>")
@docs.doc("An activity instance", response=HistoricActivityInstanceSchema)
def activity_instance(id):
    return ok(cached(HistoricActivityInstanceSchema).dump(activities.get_historic_activity(kb(), actor(), id)))


@bp.get("/history/variable-instance/<id>")
@docs.doc("A variable of a running or ended instance", response=HistoricVariableInstanceSchema)
def variable(id):
    [row] = _with_values([variables.get_historic_variable(kb(), actor(), id)])
    return ok(cached(HistoricVariableInstanceSchema).dump(row))


@bp.get("/history/variable-instance/<id>/data")
@docs.doc("The binary value of a variable (Kuaibao stores no binary variables)")
def variable_data(id):
    variables.get_historic_variable(kb(), actor(), id)  # 404 when unknown or unreadable
    raise RestError(400, "InvalidRequestException", f"Value of variable with id {id} is not a binary value.")
