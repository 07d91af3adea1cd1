"""Camunda 7's resource types and permission bits, and the names the REST API uses for them."""
from __future__ import annotations

ALL = 2**31 - 1  # Integer.MAX_VALUE

APPLICATION, USER, GROUP, GROUP_MEMBERSHIP, AUTHORIZATION = 0, 1, 2, 3, 4
PROCESS_DEFINITION, TASK, PROCESS_INSTANCE, DEPLOYMENT, DECISION_DEFINITION = 6, 7, 8, 9, 10
TENANT, TENANT_MEMBERSHIP, HISTORIC_TASK, HISTORIC_PROCESS_INSTANCE, SYSTEM = 11, 12, 19, 20, 21

RESOURCE_NAMES = {APPLICATION: "Application", USER: "User", GROUP: "Group", GROUP_MEMBERSHIP: "GroupMembership",
                  AUTHORIZATION: "Authorization", 5: "Filter", PROCESS_DEFINITION: "ProcessDefinition",
                  TASK: "Task", PROCESS_INSTANCE: "ProcessInstance", DEPLOYMENT: "Deployment",
                  DECISION_DEFINITION: "DecisionDefinition", TENANT: "Tenant", TENANT_MEMBERSHIP: "TenantMembership",
                  13: "Batch", 14: "DecisionRequirementsDefinition", 15: "Report", 16: "Dashboard",
                  17: "OperationLogCategory", HISTORIC_TASK: "HistoricTask",
                  HISTORIC_PROCESS_INSTANCE: "HistoricProcessInstance", SYSTEM: "System"}

# Generic bits (org.camunda.bpm.engine.authorization.Permissions)
READ, UPDATE, CREATE, DELETE, ACCESS = 2, 4, 8, 16, 32
READ_TASK, UPDATE_TASK, CREATE_INSTANCE, READ_INSTANCE, UPDATE_INSTANCE = 64, 128, 256, 512, 1024
DELETE_INSTANCE, READ_HISTORY, DELETE_HISTORY, TASK_WORK, TASK_ASSIGN = 2048, 4096, 8192, 16384, 32768
RETRY_JOB = 32  # on PROCESS_DEFINITION and PROCESS_INSTANCE
# Task-specific bits (TaskPermissions)
TASK_READ_VARIABLE, TASK_UPDATE_VARIABLE = 64, 32

_GENERIC = {"NONE": 0, "ALL": ALL, "READ": READ, "UPDATE": UPDATE, "CREATE": CREATE, "DELETE": DELETE}
PERMISSION_NAMES: dict[int, dict[str, int]] = {
    APPLICATION: {"NONE": 0, "ALL": ALL, "ACCESS": ACCESS},
    PROCESS_DEFINITION: {**_GENERIC, "READ_TASK": READ_TASK, "UPDATE_TASK": UPDATE_TASK,
                         "CREATE_INSTANCE": CREATE_INSTANCE, "READ_INSTANCE": READ_INSTANCE,
                         "UPDATE_INSTANCE": UPDATE_INSTANCE, "DELETE_INSTANCE": DELETE_INSTANCE,
                         "READ_HISTORY": READ_HISTORY, "DELETE_HISTORY": DELETE_HISTORY, "TASK_WORK": TASK_WORK,
                         "TASK_ASSIGN": TASK_ASSIGN, "RETRY_JOB": RETRY_JOB},
    TASK: {**_GENERIC, "READ_VARIABLE": TASK_READ_VARIABLE, "UPDATE_VARIABLE": TASK_UPDATE_VARIABLE,
           "TASK_WORK": TASK_WORK, "TASK_ASSIGN": TASK_ASSIGN, "READ_HISTORY": READ_HISTORY},
    PROCESS_INSTANCE: {**_GENERIC, "RETRY_JOB": RETRY_JOB},
    DECISION_DEFINITION: {**_GENERIC, "CREATE_INSTANCE": CREATE_INSTANCE, "READ_HISTORY": READ_HISTORY,
                          "DELETE_HISTORY": DELETE_HISTORY},
    HISTORIC_TASK: {"NONE": 0, "ALL": ALL, "READ": READ},
    HISTORIC_PROCESS_INSTANCE: {"NONE": 0, "ALL": ALL, "READ": READ},
}


def names_for(resource_type: int) -> dict[str, int]:
    return PERMISSION_NAMES.get(resource_type, _GENERIC)


def to_bits(resource_type: int, names: list[str]) -> int:
    """Permission names for a resource type as a bit mask; an unknown name is a ValueError."""
    table, bits = names_for(resource_type), 0
    for name in names:
        if name not in table:
            raise ValueError(f"The permission '{name}' is not valid for '{RESOURCE_NAMES.get(resource_type, resource_type)}' "
                             f"resource type.")
        bits |= table[name]
    return bits


def to_names(resource_type: int, bits: int) -> list[str]:
    """The names of the bits set (ALL when every one of them is, NONE when none is)."""
    table = names_for(resource_type)
    if bits == ALL:
        return ["ALL"]
    named = [n for n, b in table.items() if b and n != "ALL" and bits & b == b]
    return named or ["NONE"]
