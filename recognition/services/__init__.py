"""Use cases of recognition: rounds, applications, conflicts, blind scores, decisions, objections.

Every state change is guarded by a table of allowed transitions and writes the audit trail in
the same transaction. Split by sub-domain; import from here (`from recognition import services`).
What pages and reports read (deadlines, conflicts, score statistics) is in recognition.selectors.
"""

from recognition.services.applications import (  # noqa: F401
    _file_in_revision,
    _require_coordinator,
    _require_editable,
    _snapshot,
    add_evidence_file,
    add_plan_line,
    missing_for_submission,
    remove_evidence_file,
    remove_plan_line,
    restart_application,
    save_statement,
    start_application,
    submit_application,
    update_application,
    withdraw_application,
)
from recognition.services.common import (  # noqa: F401
    ADMIN,
    APPLICATION_TRANSITIONS,
    AS,
    COMMISSION,
    PUBLIC,
    ROUND_TRANSITIONS,
    RS,
    _check_transition,
    _now,
)
from recognition.services.conflicts import (  # noqa: F401
    declare_conflict,
    pin_conflict,
)
from recognition.services.decisions import (  # noqa: F401
    _apply_outcome,
    _mail_outcome,
    _new_superseding_decision,
    _pending_granted_total,
    _recognition_period,
    add_months,
    change_recognition,
    expire_recognitions,
    publish_round,
    record_decision,
    sync_platform_recognition,
)
from recognition.services.objections import (  # noqa: F401
    answer_objection,
    lodge_objection,
    record_hearing,
    reject_objection,
)
from recognition.services.rounds import (  # noqa: F401
    EDITABLE_ROUND_FIELDS,
    _freeze_copy,
    _move_round,
    conclude_round,
    create_round,
    current_criteria_version,
    open_round,
    reopen_assessment,
    start_assessment,
    update_round,
)
from recognition.services.scoring import (  # noqa: F401
    _require_may_score,
    save_scores,
    send_due_reminders,
    send_scoring_reminders,
    submit_scoresheet,
)
