"""Use cases for platforms: register, members, activities, partner confirmations, endorsements.

Split by sub-domain; import from here (``from platforms import services``).
"""

from platforms.services.activities import (
    add_activity,
    add_activity_photo,
    delete_activity,
    delete_activity_photo,
    find_confirmation,
    request_partner_confirmation,
    respond_partner_confirmation,
    update_activity,
)
from platforms.services.common import (
    ACTIVITY_FIELDS,
    CODE_ALPHABET,
    CONFIRMATION_DAYS,
    INVITATION_DAYS,
    MAX_MAILS_PER_PLATFORM_PER_DAY,
    MAX_MAILS_PER_USER_PER_DAY,
    MAX_PHOTOS_PER_ACTIVITY,
    MAX_PHOTOS_PER_PLATFORM,
    MAX_PLATFORMS_PER_USER_PER_DAY,
    PLATFORM_FIELDS,
    RESERVED_SLUGS,
    RESUBMIT_WINDOW,
    hash_token,
    new_token,
    unique_slug,
)
from platforms.services.endorsements import (
    create_endorsement_codes,
    endorse_platform,
    withdraw_endorsement,
)
from platforms.services.members import (
    accept_invitation,
    change_member_role,
    decline_invitation,
    find_invitation,
    invite_member,
    leave_platform,
    remove_member,
    revoke_invitation,
    set_name_visibility,
)
from platforms.services.registration import (
    archive_platform,
    register_platform,
    update_platform,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "CODE_ALPHABET",
    "CONFIRMATION_DAYS",
    "INVITATION_DAYS",
    "MAX_MAILS_PER_PLATFORM_PER_DAY",
    "MAX_MAILS_PER_USER_PER_DAY",
    "MAX_PLATFORMS_PER_USER_PER_DAY",
    "MAX_PHOTOS_PER_ACTIVITY",
    "MAX_PHOTOS_PER_PLATFORM",
    "PLATFORM_FIELDS",
    "RESERVED_SLUGS",
    "RESUBMIT_WINDOW",
    "accept_invitation",
    "add_activity",
    "add_activity_photo",
    "change_member_role",
    "create_endorsement_codes",
    "decline_invitation",
    "delete_activity",
    "delete_activity_photo",
    "endorse_platform",
    "find_confirmation",
    "find_invitation",
    "hash_token",
    "invite_member",
    "leave_platform",
    "new_token",
    "archive_platform",
    "register_platform",
    "remove_member",
    "request_partner_confirmation",
    "respond_partner_confirmation",
    "revoke_invitation",
    "set_name_visibility",
    "unique_slug",
    "update_activity",
    "update_platform",
    "withdraw_endorsement",
]
