"""History query criteria, from a query string (GET) or a JSON body (POST), with Camunda's parameter names."""
from __future__ import annotations

from marshmallow import ValidationError, fields

from ...services.errors import InvalidRequest
from ...services.history_common import OPERATORS, VariableFilter
from ..fields import CsvList
from .requests import _bool, _date, _int, _list, _Sortable, _str


class VariableFilters(CsvList):
    """`name_operator_value` items (comma-separated or repeated) from a query string, or `[{name, operator,
    value}]` in a JSON body. Unlike Camunda, a name may contain underscores: the first operator word splits."""

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, (list, tuple)) else [value]
        result = []
        for item in items:
            if isinstance(item, dict):
                result.append(_filter(item.get("name"), item.get("operator"), item.get("value")))
            elif isinstance(item, str):
                result += [_parse(part) for part in item.split(",") if part.strip()]
            else:
                raise ValidationError("variable filters must be name_operator_value or {name, operator, value}")
        return result


def _parse(expression: str) -> VariableFilter:
    parts = expression.strip().split("_")
    for i in range(1, len(parts) - 1):
        if parts[i] in OPERATORS:
            return _filter("_".join(parts[:i]), parts[i], "_".join(parts[i + 1:]))
    raise ValidationError("variable query parameter has to have format KEY_OPERATOR_VALUE.")


def _filter(name, operator, value) -> VariableFilter:
    if not name or not operator:
        raise ValidationError("a variable filter needs a name and an operator")
    try:
        return VariableFilter(name, operator, value)
    except InvalidRequest as e:
        raise ValidationError(str(e)) from None


def _filters(key):
    return VariableFilters(data_key=key, allow_none=True)


class HistoricInstanceQuerySchema(_Sortable):
    process_instance_id = _str("processInstanceId")
    process_instance_ids = _list("processInstanceIds")
    process_definition_id = _str("processDefinitionId")
    process_definition_key = _str("processDefinitionKey")
    process_definition_key_in = _list("processDefinitionKeyIn")
    process_definition_key_not_in = _list("processDefinitionKeyNotIn")
    process_definition_name = _str("processDefinitionName")
    process_definition_name_like = _str("processDefinitionNameLike")
    process_instance_business_key = _str("processInstanceBusinessKey")
    process_instance_business_key_in = _list("processInstanceBusinessKeyIn")
    process_instance_business_key_like = _str("processInstanceBusinessKeyLike")
    root_process_instances = _bool("rootProcessInstances")
    leaf_process_instances = _bool("leafProcessInstances")
    finished = _bool("finished")
    unfinished = _bool("unfinished")
    with_incidents = _bool("withIncidents")
    with_root_incidents = _bool("withRootIncidents")
    incident_type = _str("incidentType")
    incident_status = _str("incidentStatus")
    incident_message = _str("incidentMessage")
    incident_message_like = _str("incidentMessageLike")
    started_before = _date("startedBefore")
    started_after = _date("startedAfter")
    finished_before = _date("finishedBefore")
    finished_after = _date("finishedAfter")
    executed_activity_before = _date("executedActivityBefore")
    executed_activity_after = _date("executedActivityAfter")
    started_by = _str("startedBy")
    super_process_instance_id = _str("superProcessInstanceId")
    sub_process_instance_id = _str("subProcessInstanceId")
    tenant_id_in = _list("tenantIdIn")
    without_tenant_id = _bool("withoutTenantId")
    activity_id_in = _list("activityIdIn")
    executed_activity_id_in = _list("executedActivityIdIn")
    active_activity_id_in = _list("activeActivityIdIn")
    active = _bool("active")
    suspended = _bool("suspended")
    completed = _bool("completed")
    externally_terminated = _bool("externallyTerminated")
    internally_terminated = _bool("internallyTerminated")
    variables = _filters("variables")
    variable_names_ignore_case = _bool("variableNamesIgnoreCase")
    variable_values_ignore_case = _bool("variableValuesIgnoreCase")
    case_instance_id = _str("caseInstanceId")
    super_case_instance_id = _str("superCaseInstanceId")
    sub_case_instance_id = _str("subCaseInstanceId")


class HistoricActivityQuerySchema(_Sortable):
    activity_instance_id = _str("activityInstanceId")
    process_instance_id = _str("processInstanceId")
    process_definition_id = _str("processDefinitionId")
    execution_id = _str("executionId")
    activity_id = _str("activityId")
    activity_name = _str("activityName")
    activity_name_like = _str("activityNameLike")
    activity_type = _str("activityType")
    task_assignee = _str("taskAssignee")
    finished = _bool("finished")
    unfinished = _bool("unfinished")
    canceled = _bool("canceled")
    complete_scope = _bool("completeScope")
    started_before = _date("startedBefore")
    started_after = _date("startedAfter")
    finished_before = _date("finishedBefore")
    finished_after = _date("finishedAfter")
    tenant_id_in = _list("tenantIdIn")
    without_tenant_id = _bool("withoutTenantId")


class HistoricTaskQuerySchema(_Sortable):
    task_id = _str("taskId")
    task_parent_task_id = _str("taskParentTaskId")
    process_instance_id = _str("processInstanceId")
    process_instance_id_in = _list("processInstanceIdIn")
    process_instance_business_key = _str("processInstanceBusinessKey")
    process_instance_business_key_in = _list("processInstanceBusinessKeyIn")
    process_instance_business_key_like = _str("processInstanceBusinessKeyLike")
    execution_id = _str("executionId")
    activity_instance_id_in = _list("activityInstanceIdIn")
    process_definition_id = _str("processDefinitionId")
    process_definition_key = _str("processDefinitionKey")
    process_definition_name = _str("processDefinitionName")
    task_name = _str("taskName")
    task_name_like = _str("taskNameLike")
    task_description = _str("taskDescription")
    task_description_like = _str("taskDescriptionLike")
    task_definition_key = _str("taskDefinitionKey")
    task_definition_key_in = _list("taskDefinitionKeyIn")
    task_delete_reason = _str("taskDeleteReason")
    task_delete_reason_like = _str("taskDeleteReasonLike")
    task_assignee = _str("taskAssignee")
    task_assignee_like = _str("taskAssigneeLike")
    task_owner = _str("taskOwner")
    task_owner_like = _str("taskOwnerLike")
    task_priority = _int("taskPriority")
    assigned = _bool("assigned")
    unassigned = _bool("unassigned")
    finished = _bool("finished")
    unfinished = _bool("unfinished")
    process_finished = _bool("processFinished")
    process_unfinished = _bool("processUnfinished")
    task_due_date = _date("taskDueDate")
    task_due_date_before = _date("taskDueDateBefore")
    task_due_date_after = _date("taskDueDateAfter")
    without_task_due_date = _bool("withoutTaskDueDate")
    task_follow_up_date = _date("taskFollowUpDate")
    task_follow_up_date_before = _date("taskFollowUpDateBefore")
    task_follow_up_date_after = _date("taskFollowUpDateAfter")
    started_before = _date("startedBefore")
    started_after = _date("startedAfter")
    finished_before = _date("finishedBefore")
    finished_after = _date("finishedAfter")
    tenant_id_in = _list("tenantIdIn")
    without_tenant_id = _bool("withoutTenantId")
    task_variables = _filters("taskVariables")
    process_variables = _filters("processVariables")
    variable_names_ignore_case = _bool("variableNamesIgnoreCase")
    variable_values_ignore_case = _bool("variableValuesIgnoreCase")
    task_involved_user = _str("taskInvolvedUser")
    task_involved_group = _str("taskInvolvedGroup")
    task_had_candidate_user = _str("taskHadCandidateUser")
    task_had_candidate_group = _str("taskHadCandidateGroup")
    with_candidate_groups = _bool("withCandidateGroups")
    without_candidate_groups = _bool("withoutCandidateGroups")
    case_definition_id = _str("caseDefinitionId")
    case_definition_key = _str("caseDefinitionKey")
    case_definition_name = _str("caseDefinitionName")
    case_instance_id = _str("caseInstanceId")
    case_execution_id = _str("caseExecutionId")


class HistoricVariableQuerySchema(_Sortable):
    variable_name = _str("variableName")
    variable_name_like = _str("variableNameLike")
    variable_name_in = _list("variableNameIn")
    variable_value = fields.Raw(data_key="variableValue", allow_none=True)
    variable_names_ignore_case = _bool("variableNamesIgnoreCase")
    variable_values_ignore_case = _bool("variableValuesIgnoreCase")
    variable_type_in = _list("variableTypeIn")
    include_deleted = _bool("includeDeleted")
    process_instance_id = _str("processInstanceId")
    process_instance_id_in = _list("processInstanceIdIn")
    process_definition_id = _str("processDefinitionId")
    process_definition_key = _str("processDefinitionKey")
    execution_id_in = _list("executionIdIn")
    activity_instance_id_in = _list("activityInstanceIdIn")
    task_id_in = _list("taskIdIn")
    tenant_id_in = _list("tenantIdIn")
    without_tenant_id = _bool("withoutTenantId")
    case_instance_id = _str("caseInstanceId")
    case_execution_id_in = _list("caseExecutionIdIn")
    case_activity_id_in = _list("caseActivityIdIn")


class OperationLogQuerySchema(_Sortable):
    deployment_id = _str("deploymentId")
    process_definition_id = _str("processDefinitionId")
    process_definition_key = _str("processDefinitionKey")
    process_instance_id = _str("processInstanceId")
    execution_id = _str("executionId")
    task_id = _str("taskId")
    job_id = _str("jobId")
    job_definition_id = _str("jobDefinitionId")
    external_task_id = _str("externalTaskId")
    batch_id = _str("batchId")
    user_id = _str("userId")
    operation_id = _str("operationId")
    operation_type = _str("operationType")
    entity_type = _str("entityType")
    entity_type_in = _list("entityTypeIn")
    category = _str("category")
    category_in = _list("categoryIn")
    property = _str("property")
    after_timestamp = _date("afterTimestamp")
    before_timestamp = _date("beforeTimestamp")
    case_definition_id = _str("caseDefinitionId")
    case_instance_id = _str("caseInstanceId")
    case_execution_id = _str("caseExecutionId")
