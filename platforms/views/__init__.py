"""Thin views: parse, authorise (permissions getters), call a service, respond."""

from platforms.views.activities import (  # noqa: F401
    activity_create,
    activity_delete,
    activity_edit,
    activity_photo_add,
    activity_photo_delete,
    activity_photo_file,
    confirmation_request,
    partner_confirm,
    partner_confirmation,
    partner_decline,
)
from platforms.views.endorsements import (  # noqa: F401
    endorsement_code_list,
    endorsement_code_lookup,
    endorsement_code_pdf,
    endorsement_create,
    endorsement_withdraw,
)
from platforms.views.members import (  # noqa: F401
    invitation_accept,
    invitation_decline,
    invitation_detail,
    invitation_revoke,
    member_invite,
    member_list,
    member_remove,
    member_role,
    member_visibility,
    my_invitation_accept,
    my_invitation_decline,
    my_platforms,
    platform_leave,
)
from platforms.views.public import (  # noqa: F401
    activity_detail,
    platform_detail,
    platform_list,
)
from platforms.views.registration import (  # noqa: F401
    platform_archive,
    platform_create,
    platform_edit,
)
