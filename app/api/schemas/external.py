"""External task and incident DTOs (every field present) and their request bodies and query strings."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from ...services import typed_values as tv
from ..fields import CamundaDateTime, CsvList


class ExternalTaskSchema(Schema):
    """ExternalTaskDto, dumped from an ExternalTaskView."""

    activityId = fields.String(attribute="task.activity_id")
    activityInstanceId = fields.Function(lambda v: f"{v.task.activity_id}:{v.task.id}")
    errorMessage = fields.String(attribute="task.error_message", allow_none=True)
    executionId = fields.Function(lambda v: v.task.process_instance_id)  # the instance is its only execution
    id = fields.String(attribute="task.id")
    lockExpirationTime = CamundaDateTime(attribute="task.lock_expiration", allow_none=True)
    createTime = CamundaDateTime(attribute="task.created")
    processDefinitionId = fields.String(attribute="task.process_definition_id")
    processDefinitionKey = fields.String(attribute="task.process_definition_key")
    processDefinitionVersionTag = fields.Function(lambda v: v.task.process_definition_version_tag or v.version_tag)
    processInstanceId = fields.String(attribute="task.process_instance_id")
    tenantId = fields.String(attribute="task.tenant_id", allow_none=True)
    retries = fields.Integer(attribute="task.retries", allow_none=True)
    suspended = fields.Boolean(attribute="task.suspended")
    workerId = fields.String(attribute="task.worker_id", allow_none=True)
    priority = fields.Integer(attribute="task.priority")
    topicName = fields.String(attribute="task.topic")
    businessKey = fields.String(attribute="task.business_key", allow_none=True)


class LockedExternalTaskSchema(ExternalTaskSchema):
    """LockedExternalTaskDto: what fetchAndLock hands a worker."""

    errorDetails = fields.String(attribute="task.error_details", allow_none=True)
    variables = fields.Function(lambda v: {n: tv.to_rest(value, v.deserialize_values)
                                           for n, value in v.variables.items()})
    extensionProperties = fields.Dict(attribute="extension_properties", keys=fields.String(),
                                      values=fields.String())


class IncidentSchema(Schema):
    """IncidentDto: an incident is its own root cause here (no incident chains across call activities)."""

    id = fields.String()
    processDefinitionId = fields.String(attribute="process_definition_id", allow_none=True)
    processInstanceId = fields.String(attribute="process_instance_id", allow_none=True)
    executionId = fields.Function(lambda i: i.process_instance_id)
    incidentTimestamp = CamundaDateTime(attribute="timestamp")
    incidentType = fields.String(attribute="incident_type")
    activityId = fields.String(attribute="activity_id", allow_none=True)
    failedActivityId = fields.Function(lambda i: i.activity_id)
    causeIncidentId = fields.Function(lambda i: i.id)
    rootCauseIncidentId = fields.Function(lambda i: i.id)
    configuration = fields.String(allow_none=True)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    incidentMessage = fields.String(attribute="message", allow_none=True)
    jobDefinitionId = fields.Constant(None)
    annotation = fields.String(allow_none=True)


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE


def _str(key): return fields.String(data_key=key, allow_none=True)
def _bool(key): return fields.Boolean(data_key=key, allow_none=True)
def _list(key): return CsvList(data_key=key, allow_none=True)
def _date(key): return CamundaDateTime(data_key=key, allow_none=True)
def _int(key): return fields.Integer(data_key=key, allow_none=True)


class FetchTopicSchema(_Loose):
    topic_name = _str("topicName")
    lock_duration = _int("lockDuration")
    variables = fields.List(fields.String(), data_key="variables", allow_none=True)
    local_variables = _bool("localVariables")
    business_key = _str("businessKey")
    process_definition_id = _str("processDefinitionId")
    process_definition_id_in = fields.List(fields.String(), data_key="processDefinitionIdIn", allow_none=True)
    process_definition_key = _str("processDefinitionKey")
    process_definition_key_in = fields.List(fields.String(), data_key="processDefinitionKeyIn", allow_none=True)
    process_definition_version_tag = _str("processDefinitionVersionTag")
    without_tenant_id = _bool("withoutTenantId")
    tenant_id_in = fields.List(fields.String(), data_key="tenantIdIn", allow_none=True)
    process_variables = fields.Dict(data_key="processVariables", allow_none=True)
    deserialize_values = _bool("deserializeValues")
    include_extension_properties = _bool("includeExtensionProperties")


class FetchExternalTasksSchema(_Loose):
    workerId = fields.String(allow_none=True)
    maxTasks = fields.Integer(allow_none=True)
    usePriority = fields.Boolean(allow_none=True)
    asyncResponseTimeout = fields.Integer(allow_none=True)
    topics = fields.List(fields.Nested(FetchTopicSchema), allow_none=True)
    sorting = fields.List(fields.Dict(), allow_none=True)


class CompleteExternalTaskSchema(_Loose):
    workerId = fields.String(allow_none=True)
    variables = fields.Dict(allow_none=True)
    localVariables = fields.Dict(allow_none=True)


class ExternalTaskFailureSchema(CompleteExternalTaskSchema):
    errorMessage = fields.String(allow_none=True)
    errorDetails = fields.String(allow_none=True)
    retries = fields.Integer(allow_none=True)
    retryTimeout = fields.Integer(allow_none=True)


class ExternalTaskBpmnErrorSchema(_Loose):
    workerId = fields.String(allow_none=True)
    errorCode = fields.String(allow_none=True)
    errorMessage = fields.String(allow_none=True)
    variables = fields.Dict(allow_none=True)


class ExtendLockSchema(_Loose):
    workerId = fields.String(allow_none=True)
    newDuration = fields.Integer(allow_none=True)


class LockExternalTaskSchema(_Loose):
    workerId = fields.String(allow_none=True)
    lockDuration = fields.Integer(allow_none=True)


class ExternalTaskRetriesSchema(_Loose):
    retries = fields.Integer(allow_none=True)


class ExternalTaskPrioritySchema(_Loose):
    priority = fields.Integer(allow_none=True)


class _Sortable(_Loose):
    sort_by = fields.String(data_key="sortBy")
    sort_order = fields.String(data_key="sortOrder")
    sorting = fields.List(fields.Dict(), load_default=None, allow_none=True)


class ExternalTaskQuerySchema(_Sortable):
    external_task_id = _str("externalTaskId")
    external_task_id_in = _list("externalTaskIdIn")
    topic_name = _str("topicName")
    worker_id = _str("workerId")
    locked = _bool("locked")
    not_locked = _bool("notLocked")
    with_retries_left = _bool("withRetriesLeft")
    no_retries_left = _bool("noRetriesLeft")
    lock_expiration_after = _date("lockExpirationAfter")
    lock_expiration_before = _date("lockExpirationBefore")
    activity_id = _str("activityId")
    activity_id_in = _list("activityIdIn")
    execution_id = _str("executionId")
    process_instance_id = _str("processInstanceId")
    process_instance_id_in = _list("processInstanceIdIn")
    process_definition_id = _str("processDefinitionId")
    active = _bool("active")
    suspended = _bool("suspended")
    priority_higher_than_or_equals = _int("priorityHigherThanOrEquals")
    priority_lower_than_or_equals = _int("priorityLowerThanOrEquals")
    tenant_id_in = _list("tenantIdIn")


class TopicNamesQuerySchema(_Loose):
    withLockedTasks = fields.Boolean(allow_none=True)
    withUnlockedTasks = fields.Boolean(allow_none=True)
    withRetriesLeft = fields.Boolean(allow_none=True)


class IncidentQuerySchema(_Sortable):
    incident_id = _str("incidentId")
    incident_type = _str("incidentType")
    incident_message = _str("incidentMessage")
    incident_message_like = _str("incidentMessageLike")
    process_definition_id = _str("processDefinitionId")
    process_definition_key_in = _list("processDefinitionKeyIn")
    process_instance_id = _str("processInstanceId")
    execution_id = _str("executionId")
    activity_id = _str("activityId")
    failed_activity_id = _str("failedActivityId")
    configuration = _str("configuration")
    tenant_id_in = _list("tenantIdIn")
    incident_timestamp_before = _date("incidentTimestampBefore")
    incident_timestamp_after = _date("incidentTimestampAfter")
