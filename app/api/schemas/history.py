"""History DTOs with Camunda's field names (every field present, null when empty), dumped from the rows the
history services return."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..fields import CamundaDateTime


def _str(attribute: str):
    return fields.String(attribute=attribute, allow_none=True)


def _date(attribute: str):
    return CamundaDateTime(attribute=attribute, allow_none=True)


def _same_as(key: str):
    """A second field showing the same value (marshmallow refuses two fields with one attribute)."""
    return fields.Function(lambda row: row[key])


def _none():
    return fields.Constant(None)


class HistoricProcessInstanceSchema(Schema):
    id = fields.String()
    rootProcessInstanceId = _str("root_process_instance_id")
    superProcessInstanceId = _str("super_process_instance_id")
    superCaseInstanceId = _none()
    caseInstanceId = _none()
    processDefinitionName = _str("definition_name")
    processDefinitionKey = _str("definition_key")
    processDefinitionVersion = fields.Integer(attribute="definition_version", allow_none=True)
    processDefinitionId = _str("definition_id")
    businessKey = _str("business_key")
    startTime = _date("start_time")
    endTime = _date("end_time")
    removalTime = _date("removal_time")
    durationInMillis = fields.Integer(attribute="duration_in_millis", allow_none=True)
    startUserId = _str("start_user_id")
    startActivityId = _str("start_activity_id")
    deleteReason = _str("delete_reason")
    tenantId = _str("tenant_id")
    state = fields.String()
    restartedProcessInstanceId = _none()


class HistoricActivityInstanceSchema(Schema):
    id = fields.String()
    parentActivityInstanceId = _str("parent_activity_instance_id")
    activityId = _str("activity_id")
    activityName = _str("activity_name")
    activityType = _str("activity_type")
    processDefinitionKey = _str("process_definition_key")
    processDefinitionId = _str("process_definition_id")
    processInstanceId = _str("process_instance_id")
    executionId = _same_as("process_instance_id")
    taskId = _str("task_id")
    assignee = _str("assignee")
    calledProcessInstanceId = _str("called_process_instance_id")
    calledCaseInstanceId = _none()
    startTime = _date("start_time")
    endTime = _date("end_time")
    durationInMillis = fields.Integer(attribute="duration_in_millis", allow_none=True)
    canceled = fields.Boolean()
    completeScope = fields.Boolean(attribute="complete_scope")
    tenantId = _str("tenant_id")
    removalTime = _date("removal_time")
    rootProcessInstanceId = _str("root_process_instance_id")


class HistoricTaskInstanceSchema(Schema):
    id = fields.String()
    processDefinitionKey = _str("process_definition_key")
    processDefinitionId = _str("process_definition_id")
    processInstanceId = _str("process_instance_id")
    executionId = _same_as("process_instance_id")
    caseDefinitionKey = _none()
    caseDefinitionId = _none()
    caseInstanceId = _none()
    caseExecutionId = _none()
    activityInstanceId = _same_as("id")
    name = _str("activity_name")
    description = _str("description")
    deleteReason = _str("delete_reason")
    owner = _str("owner")
    assignee = _str("assignee")
    startTime = _date("start_time")
    endTime = _date("end_time")
    duration = fields.Integer(allow_none=True)
    taskDefinitionKey = _str("activity_id")
    priority = fields.Integer(allow_none=True)
    due = _date("due")
    parentTaskId = _none()
    followUp = _date("follow_up")
    tenantId = _str("tenant_id")
    removalTime = _date("removal_time")
    rootProcessInstanceId = _str("root_process_instance_id")
    taskState = fields.String(attribute="task_state")


class HistoricVariableInstanceSchema(Schema):
    """`value`, `type` and `valueInfo` are the wire form of the typed value, added by the view (it knows
    deserializeValues)."""

    value = fields.Raw(allow_none=True)
    type = fields.String()
    valueInfo = fields.Dict()
    id = fields.String()
    name = fields.String()
    processDefinitionKey = _str("process_definition_key")
    processDefinitionId = _str("process_definition_id")
    processInstanceId = _str("process_instance_id")
    executionId = _same_as("process_instance_id")
    activityInstanceId = _same_as("process_instance_id")
    caseDefinitionKey = _none()
    caseDefinitionId = _none()
    caseInstanceId = _none()
    caseExecutionId = _none()
    taskId = _none()
    tenantId = _str("tenant_id")
    errorMessage = _none()
    state = fields.Constant("CREATED")
    createTime = _date("create_time")
    removalTime = _date("removal_time")
    rootProcessInstanceId = _str("root_process_instance_id")


class UserOperationLogEntrySchema(Schema):
    id = fields.String()
    deploymentId = _str("deployment_id")
    processDefinitionId = _str("process_definition_id")
    processDefinitionKey = _str("process_definition_key")
    processInstanceId = _str("process_instance_id")
    executionId = _same_as("process_instance_id")
    caseDefinitionId = _none()
    caseInstanceId = _none()
    caseExecutionId = _none()
    taskId = _str("task_id")
    externalTaskId = _str("external_task_id")
    batchId = _none()
    jobId = _str("job_id")
    jobDefinitionId = _none()
    userId = _str("user_id")
    timestamp = _date("timestamp")
    operationId = _str("operation_id")
    operationType = _str("operation_type")
    entityType = _str("entity_type")
    property = _str("property")
    orgValue = _str("org_value")
    newValue = _str("new_value")
    removalTime = _date("removal_time")
    rootProcessInstanceId = _str("root_process_instance_id")
    category = _str("category")
    annotation = _str("annotation")
