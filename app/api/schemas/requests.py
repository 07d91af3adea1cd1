"""Request schemas: query strings and JSON bodies, unknown keys ignored (as Camunda's Jackson does)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from ..fields import CamundaDateTime, CsvList


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE


class SortingSchema(_Loose):
    sortBy = fields.String(required=True)
    sortOrder = fields.String(required=True)


class _Sortable(_Loose):
    sort_by = fields.String(data_key="sortBy")
    sort_order = fields.String(data_key="sortOrder")
    sorting = fields.List(fields.Dict(), load_default=None, allow_none=True)


def _str(key): return fields.String(data_key=key, allow_none=True)
def _bool(key): return fields.Boolean(data_key=key, allow_none=True)
def _list(key, cast=str): return CsvList(cast=cast, data_key=key, allow_none=True)
def _date(key): return CamundaDateTime(data_key=key, allow_none=True)
def _int(key): return fields.Integer(data_key=key, allow_none=True)


class DeploymentQuerySchema(_Sortable):
    id = _str("id")
    name = _str("name")
    name_like = _str("nameLike")
    source = _str("source")
    without_source = _bool("withoutSource")
    tenant_ids = _list("tenantIdIn")
    without_tenant_id = _bool("withoutTenantId")
    include_without_tenant = _bool("includeDeploymentsWithoutTenantId")
    after = _date("after")
    before = _date("before")


class DefinitionQuerySchema(_Sortable):
    id = _str("processDefinitionId")
    ids = _list("processDefinitionIdIn")
    key = _str("key")
    keys = _list("keysIn")
    key_like = _str("keyLike")
    name = _str("name")
    name_like = _str("nameLike")
    deployment_id = _str("deploymentId")
    category = _str("category")
    version = _int("version")
    latest_version = _bool("latestVersion")
    resource_name = _str("resourceName")
    resource_name_like = _str("resourceNameLike")
    version_tag = _str("versionTag")
    version_tag_like = _str("versionTagLike")
    without_version_tag = _bool("withoutVersionTag")
    tenant_ids = _list("tenantIdIn")
    without_tenant_id = _bool("withoutTenantId")
    include_without_tenant = _bool("includeProcessDefinitionsWithoutTenantId")
    active = _bool("active")
    suspended = _bool("suspended")
    startable_in_tasklist = _bool("startableInTasklist")
    not_startable_in_tasklist = _bool("notStartableInTasklist")
    startable_by = _str("startableBy")


class InstanceQuerySchema(_Sortable):
    ids = _list("processInstanceIds")
    business_key = _str("businessKey")
    business_key_like = _str("businessKeyLike")
    definition_id = _str("processDefinitionId")
    definition_key = _str("processDefinitionKey")
    definition_keys = _list("processDefinitionKeyIn")
    definition_keys_not = _list("processDefinitionKeyNotIn")
    deployment_id = _str("deploymentId")
    active = _bool("active")
    suspended = _bool("suspended")
    tenant_ids = _list("tenantIdIn")
    without_tenant_id = _bool("withoutTenantId")


class TaskQuerySchema(_Sortable):
    task_id = _str("taskId")
    task_id_in = _list("taskIdIn")
    process_instance_id = _str("processInstanceId")
    process_instance_id_in = _list("processInstanceIdIn")
    process_instance_business_key = _str("processInstanceBusinessKey")
    process_instance_business_key_in = _list("processInstanceBusinessKeyIn")
    process_instance_business_key_like = _str("processInstanceBusinessKeyLike")
    process_definition_id = _str("processDefinitionId")
    process_definition_key = _str("processDefinitionKey")
    process_definition_key_in = _list("processDefinitionKeyIn")
    execution_id = _str("executionId")
    assignee = _str("assignee")
    assignee_like = _str("assigneeLike")
    assignee_in = _list("assigneeIn")
    assignee_not_in = _list("assigneeNotIn")
    owner = _str("owner")
    candidate_group = _str("candidateGroup")
    candidate_group_like = _str("candidateGroupLike")
    candidate_groups = _list("candidateGroups")
    candidate_user = _str("candidateUser")
    include_assigned_tasks = _bool("includeAssignedTasks")
    involved_user = _str("involvedUser")
    assigned = _bool("assigned")
    unassigned = _bool("unassigned")
    task_definition_key = _str("taskDefinitionKey")
    task_definition_key_in = _list("taskDefinitionKeyIn")
    task_definition_key_like = _str("taskDefinitionKeyLike")
    name = _str("name")
    name_not_equal = _str("nameNotEqual")
    name_like = _str("nameLike")
    name_not_like = _str("nameNotLike")
    description = _str("description")
    description_like = _str("descriptionLike")
    priority = _int("priority")
    min_priority = _int("minPriority")
    max_priority = _int("maxPriority")
    due_date = _date("dueDate")
    due_before = _date("dueBefore")
    due_after = _date("dueAfter")
    without_due_date = _bool("withoutDueDate")
    follow_up_date = _date("followUpDate")
    follow_up_before = _date("followUpBefore")
    follow_up_after = _date("followUpAfter")
    follow_up_before_or_not_existent = _date("followUpBeforeOrNotExistent")
    created_on = _date("createdOn")
    created_before = _date("createdBefore")
    created_after = _date("createdAfter")
    updated_after = _date("updatedAfter")
    tenant_id_in = _list("tenantIdIn")
    without_tenant_id = _bool("withoutTenantId")
    with_candidate_groups = _bool("withCandidateGroups")
    without_candidate_groups = _bool("withoutCandidateGroups")
    with_candidate_users = _bool("withCandidateUsers")
    without_candidate_users = _bool("withoutCandidateUsers")
    active = _bool("active")
    suspended = _bool("suspended")


class StartSchema(_Loose):
    businessKey = fields.String(allow_none=True)
    variables = fields.Dict(allow_none=True)
    withVariablesInReturn = fields.Boolean(load_default=False, allow_none=True)
    caseInstanceId = fields.String(allow_none=True)
    startInstructions = fields.List(fields.Dict(), allow_none=True)
    skipCustomListeners = fields.Boolean(allow_none=True)
    skipIoMappings = fields.Boolean(allow_none=True)


class CompleteSchema(_Loose):
    variables = fields.Dict(allow_none=True)
    withVariablesInReturn = fields.Boolean(load_default=False, allow_none=True)


class UserIdSchema(_Loose):
    userId = fields.String(allow_none=True, load_default=None)


class VariableValueInSchema(_Loose):
    value = fields.Raw(allow_none=True)
    type = fields.String(allow_none=True)
    valueInfo = fields.Dict(allow_none=True)


class PatchVariablesSchema(_Loose):
    modifications = fields.Dict(allow_none=True)
    deletions = fields.List(fields.String(), allow_none=True)


class VariableNamesSchema(_Loose):
    variableNames = CsvList(allow_none=True)
    deserializeValues = fields.Boolean(allow_none=True)


class CorrelationMessageSchema(_Loose):
    messageName = fields.String(allow_none=True)
    businessKey = fields.String(allow_none=True)
    tenantId = fields.String(allow_none=True)
    withoutTenantId = fields.Boolean(allow_none=True)
    processInstanceId = fields.String(allow_none=True)
    correlationKeys = fields.Dict(allow_none=True)
    localCorrelationKeys = fields.Dict(allow_none=True)
    processVariables = fields.Dict(allow_none=True)
    processVariablesLocal = fields.Dict(allow_none=True)
    all = fields.Boolean(allow_none=True)
    resultEnabled = fields.Boolean(allow_none=True)
    variablesInResultEnabled = fields.Boolean(allow_none=True)
    ttl = fields.Integer(allow_none=True)  # Kuaibao: ms to keep a message that no one waits for yet (0: refuse)


class JobQuerySchema(_Sortable):
    job_id = _str("jobId")
    job_ids = _list("jobIds")
    process_instance_id = _str("processInstanceId")
    process_instance_ids = _list("processInstanceIds")
    process_definition_id = _str("processDefinitionId")
    process_definition_key = _str("processDefinitionKey")
    activity_id = _str("activityId")
    with_retries_left = _bool("withRetriesLeft")
    no_retries_left = _bool("noRetriesLeft")
    executable = _bool("executable")
    timers = _bool("timers")
    messages = _bool("messages")
    with_exception = _bool("withException")
    due_before = _date("dueBefore")
    due_after = _date("dueAfter")
    tenant_ids = _list("tenantIdIn")


class RetriesSchema(_Loose):
    retries = fields.Integer(allow_none=True)
    dueDate = CamundaDateTime(allow_none=True)


class SignalSchema(_Loose):
    name = fields.String(allow_none=True)
    executionId = fields.String(allow_none=True)
    variables = fields.Dict(allow_none=True)
    tenantId = fields.String(allow_none=True)
    withoutTenantId = fields.Boolean(allow_none=True)


class SuspensionSchema(Schema):
    """Body of PUT …/suspended (Camunda's SuspensionStateDto / ProcessDefinitionSuspensionStateDto)."""

    class Meta:
        unknown = EXCLUDE

    suspended = fields.Boolean(allow_none=True, load_default=None)
    includeProcessInstances = fields.Boolean(allow_none=True, load_default=False)
    executionDate = fields.String(allow_none=True, load_default=None)
