"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import (
    IncidentPageAcknowledged,
    IncidentPageEscalated,
    IncidentPageResolved,
    IncidentPageTriggered,
    LayerAdded,
    LayerChanged,
    LayerRemoved,
    OverrideAdded,
    OverrideRemoved,
    PageAcknowledged,
    PageEscalated,
    PageResolved,
    PageTriggered,
    PolicyChanged,
    PolicyCreated,
    RouteAdded,
    RouteRemoved,
    ScheduleCreated,
    SwapAccepted,
    SwapCancelled,
    SwapDeclined,
    SwapRequested,
    TeamCreated,
    TeamUpdated,
)
from .paging import acknowledge, page_team, resolve, resolve_for_incident, trigger, waiting_pages
from .policies import add_route, create_policy
from .schemas import (
    LayerIn,
    LayerOut,
    OnCallOut,
    OverrideIn,
    OverrideOut,
    PageIn,
    PageOut,
    PolicyIn,
    PolicyOut,
    RouteIn,
    RouteOut,
    ScheduleIn,
    ScheduleOut,
    SwapIn,
    SwapOut,
    TeamIn,
    TeamOut,
)
from .service import add_layer, add_override, create_schedule, create_team, on_call, on_call_user_ids
from .swaps import request_swap

__all__ = [
    "IncidentPageAcknowledged", "IncidentPageEscalated", "IncidentPageResolved", "IncidentPageTriggered",
    "LayerAdded", "LayerChanged", "LayerIn", "LayerOut", "LayerRemoved", "OnCallOut", "OverrideAdded", "OverrideIn",
    "OverrideOut", "OverrideRemoved", "PageAcknowledged", "PageEscalated", "PageIn", "PageOut", "PageResolved",
    "PageTriggered", "PolicyChanged", "PolicyCreated", "PolicyIn", "PolicyOut", "RouteAdded", "RouteIn", "RouteOut",
    "RouteRemoved", "ScheduleCreated", "ScheduleIn", "ScheduleOut", "SwapAccepted", "SwapCancelled", "SwapDeclined",
    "SwapIn", "SwapOut", "SwapRequested", "TeamCreated", "TeamIn", "TeamOut", "TeamUpdated", "acknowledge",
    "add_layer", "add_override", "add_route", "create_policy", "create_schedule", "create_team", "on_call",
    "on_call_user_ids", "page_team", "request_swap", "resolve", "resolve_for_incident", "trigger",
    "waiting_pages",
]
