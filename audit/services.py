"""Write the audit trail. Call inside the service's own transaction."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import AuditEntry


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    data: dict | None = None,
    visibility: str = AuditEntry.Visibility.ADMIN,
) -> AuditEntry:
    """Append one audit entry: who (actor), what (action code), on what (obj), details (data)."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_label=str(actor_obj.pk) if actor_obj else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
        visibility=visibility,
    )
