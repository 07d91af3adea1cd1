"""Response DTOs with Camunda's field names; every field is always present (null when empty)."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..fields import CamundaDateTime


class ExceptionSchema(Schema):
    type = fields.String()
    message = fields.String()
    code = fields.Integer(allow_none=True)


class CountSchema(Schema):
    count = fields.Integer()


class LinkSchema(Schema):
    method = fields.String()
    href = fields.String()
    rel = fields.String()


class VariableValueSchema(Schema):
    value = fields.Raw(allow_none=True)
    type = fields.String()
    valueInfo = fields.Dict()


class ProcessDefinitionSchema(Schema):
    id = fields.String()
    key = fields.String()
    category = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    version = fields.Integer()
    resource = fields.String(attribute="resource_name")
    deploymentId = fields.String(attribute="deployment_id")
    diagram = fields.Constant(None)
    suspended = fields.Boolean()
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    versionTag = fields.String(attribute="version_tag", allow_none=True)
    historyTimeToLive = fields.Integer(attribute="history_time_to_live", allow_none=True)
    startableInTasklist = fields.Boolean(attribute="startable")


class DecisionDefinitionSchema(Schema):
    id = fields.String()
    key = fields.String()
    category = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    version = fields.Integer()
    resource = fields.String(attribute="resource_name")
    deploymentId = fields.String(attribute="deployment_id")
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    decisionRequirementsDefinitionId = fields.Constant(None)
    decisionRequirementsDefinitionKey = fields.Constant(None)
    historyTimeToLive = fields.Integer(attribute="history_time_to_live", allow_none=True)
    versionTag = fields.String(attribute="version_tag", allow_none=True)


class DeploymentSchema(Schema):
    links = fields.List(fields.Nested(LinkSchema))
    id = fields.String()
    name = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    deploymentTime = CamundaDateTime(attribute="deployment_time")
    tenantId = fields.String(attribute="tenant_id", allow_none=True)


class DeploymentWithDefinitionsSchema(DeploymentSchema):
    deployedProcessDefinitions = fields.Dict(keys=fields.String(), values=fields.Nested(ProcessDefinitionSchema),
                                             allow_none=True)
    deployedCaseDefinitions = fields.Constant(None)
    deployedDecisionDefinitions = fields.Dict(keys=fields.String(), values=fields.Nested(DecisionDefinitionSchema),
                                              allow_none=True)
    deployedDecisionRequirementsDefinitions = fields.Constant(None)


class ResourceSchema(Schema):
    id = fields.String()
    name = fields.String()
    deploymentId = fields.String(attribute="deployment_id")


class ProcessDefinitionXmlSchema(Schema):
    id = fields.String()
    bpmn20Xml = fields.String()


class ProcessInstanceSchema(Schema):
    links = fields.List(fields.Nested(LinkSchema))
    id = fields.String()
    definitionId = fields.String(attribute="definition_id")
    definitionKey = fields.String(attribute="definition_key")
    businessKey = fields.String(attribute="business_key", allow_none=True)
    caseInstanceId = fields.Constant(None)
    ended = fields.Boolean()
    suspended = fields.Boolean()
    tenantId = fields.String(attribute="tenant_id", allow_none=True)


class ProcessInstanceWithVariablesSchema(ProcessInstanceSchema):
    variables = fields.Dict(keys=fields.String(), values=fields.Nested(VariableValueSchema))


class TaskSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    created = CamundaDateTime()
    lastUpdated = CamundaDateTime(attribute="last_updated", allow_none=True)
    due = CamundaDateTime(allow_none=True)
    followUp = CamundaDateTime(attribute="follow_up", allow_none=True)
    delegationState = fields.Constant(None)
    description = fields.String(allow_none=True)
    executionId = fields.Function(lambda task: task.process_instance_id)
    parentTaskId = fields.Constant(None)
    priority = fields.Integer()
    processDefinitionId = fields.String(attribute="process_definition_id")
    processInstanceId = fields.String(attribute="process_instance_id")
    taskDefinitionKey = fields.String(attribute="task_definition_key")
    caseExecutionId = fields.Constant(None)
    caseInstanceId = fields.Constant(None)
    caseDefinitionId = fields.Constant(None)
    suspended = fields.Constant(False)
    formKey = fields.String(attribute="form_key", allow_none=True)
    camundaFormRef = fields.Constant(None)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    taskState = fields.Constant("Created")
    attachment = fields.Constant(False)
    comment = fields.Constant(False)


class IdentityLinkSchema(Schema):
    userId = fields.String(attribute="user_id", allow_none=True)
    groupId = fields.String(attribute="group_id", allow_none=True)
    type = fields.Constant("candidate")


class EngineSchema(Schema):
    name = fields.String()


class VersionSchema(Schema):
    version = fields.String()


class ExecutionSchema(Schema):
    id = fields.String()
    processInstanceId = fields.String()
    ended = fields.Boolean()
    tenantId = fields.String(allow_none=True)


class MessageCorrelationResultSchema(Schema):
    resultType = fields.String()
    execution = fields.Nested(ExecutionSchema, allow_none=True)
    processInstance = fields.Nested(ProcessInstanceSchema, allow_none=True)
    variables = fields.Dict(keys=fields.String(), values=fields.Nested(VariableValueSchema))


class JobSchema(Schema):
    id = fields.String()
    jobDefinitionId = fields.Constant(None)
    dueDate = CamundaDateTime(attribute="due", allow_none=True)
    processInstanceId = fields.String(attribute="process_instance_id", allow_none=True)
    executionId = fields.Function(lambda job: job.process_instance_id)
    processDefinitionId = fields.String(attribute="process_definition_id", allow_none=True)
    processDefinitionKey = fields.String(attribute="process_definition_key", allow_none=True)
    retries = fields.Integer()
    exceptionMessage = fields.String(attribute="exception_message", allow_none=True)
    failedActivityId = fields.Function(lambda job: job.activity_id if job.exception_message else None)
    suspended = fields.Boolean()
    priority = fields.Integer()
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    createTime = CamundaDateTime(attribute="created")
    batchId = fields.Constant(None)
