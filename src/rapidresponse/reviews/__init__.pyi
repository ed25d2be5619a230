"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .actions import accept_playbook, list_items, recurrences
from .actions import add as add_action_item
from .actions import get as get_action_item
from .actions import update as update_action_item
from .events import (
    ActionItemAdded,
    ActionItemOverdue,
    ActionItemUpdated,
    CriterionDecided,
    RecurrenceLinked,
    ReviewDrafted,
    ReviewEdited,
    ReviewFeedbackGiven,
    ReviewSignedOff,
    ReviewStateChanged,
)
from .schemas import (
    ActionItemFilter,
    ActionItemIn,
    ActionItemOut,
    ActionItemPage,
    ActionItemUpdate,
    CriterionIn,
    FeedbackIn,
    LearningOut,
    MeetingIn,
    MomentIn,
    MomentOrder,
    RecurrenceOut,
    ReviewEdit,
    ReviewOut,
    ReviewPage,
    ReviewSummary,
    SignoffIn,
)
from .service import (
    add_moment,
    decide_criterion,
    draft,
    edit,
    edit_moment,
    find,
    get,
    give_feedback,
    learning,
    list_reviews,
    move_moment,
    publish,
    record_meeting,
    refresh,
    remove_moment,
    reorder_moments,
    sign_off,
    submit,
)

__all__ = [
    "ActionItemAdded", "ActionItemFilter", "ActionItemIn", "ActionItemOut", "ActionItemOverdue", "ActionItemPage",
    "ActionItemUpdate", "ActionItemUpdated", "CriterionDecided", "CriterionIn", "FeedbackIn", "LearningOut",
    "MeetingIn", "MomentIn", "MomentOrder", "RecurrenceLinked", "RecurrenceOut", "ReviewDrafted", "ReviewEdit",
    "ReviewEdited", "ReviewFeedbackGiven", "ReviewOut", "ReviewPage", "ReviewSignedOff", "ReviewStateChanged",
    "ReviewSummary", "SignoffIn", "accept_playbook", "add_action_item", "add_moment", "decide_criterion", "draft",
    "edit", "edit_moment", "find", "get", "get_action_item", "give_feedback", "learning", "list_items",
    "list_reviews", "move_moment", "publish", "record_meeting", "recurrences", "refresh", "remove_moment",
    "reorder_moments", "sign_off", "submit", "update_action_item",
]
