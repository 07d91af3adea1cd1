"""/message and /signal: correlate a message (or keep it for a receiver to come); broadcast a signal."""
from __future__ import annotations

from flask import Blueprint

from ..services import messages as svc
from ..services import signals
from ..services.persistence import load_variables
from ..services.typed_values import format_date
from . import docs
from .errors import RestError
from .http import actor, kb, load_body, no_content, ok
from .process_instances import dump_instance
from .schemas import cached
from .schemas.dto import MessageCorrelationResultSchema
from .schemas.requests import CorrelationMessageSchema, SignalSchema
from .variables import read_map, write_map

bp = Blueprint("messages", __name__)


@bp.post("/message")
@docs.doc("Correlate a message (waiting catch events, or a message start event)", body=CorrelationMessageSchema,
          response=MessageCorrelationResultSchema, many=True)
def correlate():
    body = load_body(cached(CorrelationMessageSchema))
    if not body.get("messageName"):
        raise RestError(400, "InvalidRequestException", "No message name supplied")
    if body.get("variablesInResultEnabled") and not body.get("resultEnabled"):
        raise RestError(400, "InvalidRequestException",
                        "Parameter 'variablesInResultEnabled' cannot be used without 'resultEnabled' set to true.")
    if body.get("localCorrelationKeys") or body.get("processVariablesLocal"):
        raise RestError(400, "InvalidRequestException",
                        "Local correlation keys and local variables are not supported: Kuaibao has one process scope")
    try:
        results = svc.correlate(kb(), actor(), svc.MessageCommand(
            name=body["messageName"], business_key=body.get("businessKey"),
            process_instance_id=body.get("processInstanceId"), tenant_id=body.get("tenantId"),
            without_tenant_id=bool(body.get("withoutTenantId")),
            correlation_keys=read_map(body.get("correlationKeys")), variables=read_map(body.get("processVariables")),
            all=bool(body.get("all")), ttl_ms=body.get("ttl")))
    except svc.NoCorrelation as e:
        raise RestError(400, "RestException", str(e)) from None
    buffered = [r.buffered for r in results if r.buffered is not None]
    response = no_content() if not body.get("resultEnabled") else ok(
        [_result(r, bool(body.get("variablesInResultEnabled"))) for r in results])
    if buffered:  # beyond Camunda 7: nothing waited yet, so the message is kept for a receiver
        response.headers["Kuaibao-Message-Buffered"] = f"{buffered[0].id}; expires={format_date(buffered[0].expires)}"
    return response


def _result(r: svc.Correlated, with_variables: bool) -> dict:
    if r.buffered is not None:
        return {"resultType": "Buffered", "execution": None, "processInstance": None,
                "bufferedMessageId": r.buffered.id, "expires": format_date(r.buffered.expires)}
    i = r.instance
    execution = {"id": i.id, "processInstanceId": i.id, "ended": i.state != "ACTIVE", "tenantId": i.tenant_id}
    body = {"resultType": r.result_type,
            "execution": execution if r.result_type == "Execution" else None,
            "processInstance": dump_instance(i) if r.result_type == "ProcessDefinition" else None}
    if with_variables:
        body["variables"] = write_map(kb().read(lambda s: load_variables(s, i.id)))
    return body


@bp.post("/signal")
@docs.doc("Throw a signal: every waiting catch event and every signal start event", body=SignalSchema, status=204)
def signal():
    body = load_body(cached(SignalSchema))
    if not body.get("name"):
        raise RestError(400, "InvalidRequestException", "No signal name given")
    try:
        signals.throw(kb(), actor(), body["name"], read_map(body.get("variables")), body.get("executionId"),
                      body.get("tenantId"))
    except signals.NotFound as e:
        raise RestError(500, "ProcessEngineException", str(e)) from None
    return no_content()
