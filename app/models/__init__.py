"""SQLAlchemy models, one module per aggregate. The schema itself comes only from Alembic migrations."""
from .authorization import Authorization
from .base import Base, new_id, utcnow
from .comment import Comment
from .deployment import DecisionDefinition, Deployment, ProcessDefinition, Resource
from .history import HistoryActivity, OperationLog
from .identity import Group, Membership, Tenant, TenantMembership, User
from .instance import (
           ACTIVE,
           COMPLETED,
           EXTERNALLY_TERMINATED,
           BufferedMessage,
           EventSubscription,
           ProcessInstance,
           Variable,
)
from .jilin import JlClaim, JlContributionPeriod, JlCourier, JlEnrolment, JlEnterprise, JlOutlet, JlRosterPeriod
from .jobs import ASYNC, HANDLER, TIMER, TIMER_START, ExternalTask, Incident, Job
from .task import Task, TaskCandidate

__all__ = ["Authorization", "HistoryActivity", "OperationLog", "BufferedMessage", "Job", "ExternalTask", "Incident", "TIMER", "TIMER_START", "ASYNC", "HANDLER", "Base", "new_id", "utcnow", "Deployment", "Resource", "ProcessDefinition", "DecisionDefinition",
           "User", "Group", "Membership", "Tenant", "TenantMembership", "Comment", "ProcessInstance", "Variable", "EventSubscription", "Task", "TaskCandidate",
           "ACTIVE", "COMPLETED", "EXTERNALLY_TERMINATED", "JlEnterprise", "JlOutlet", "JlCourier", "JlRosterPeriod",
           "JlEnrolment", "JlContributionPeriod", "JlClaim"]
