"""The order workflow as data: which status may follow which, and who may move it.

``seller`` is the owner of the order's business, ``buyer`` the account that placed it, ``system``
the housekeeping command. Each arrow is one service in ``umkm.services`` that checks this table,
locks the row, changes it and writes an audit entry in the same transaction.
"""

from __future__ import annotations

from kotapintar.umkm.models import OrderStatus

#: (from status, action) -> to status
TRANSITIONS: dict[tuple[str, str], str] = {
    (OrderStatus.SUBMITTED, "accept"): OrderStatus.ACCEPTED,
    (OrderStatus.SUBMITTED, "decline"): OrderStatus.DECLINED,
    (OrderStatus.SUBMITTED, "cancel"): OrderStatus.CANCELLED,
    (OrderStatus.SUBMITTED, "expire"): OrderStatus.EXPIRED,
    (OrderStatus.ACCEPTED, "process"): OrderStatus.PROCESSING,
    (OrderStatus.ACCEPTED, "ship"): OrderStatus.SHIPPED,
    (OrderStatus.ACCEPTED, "cancel"): OrderStatus.CANCELLED,
    (OrderStatus.PROCESSING, "ship"): OrderStatus.SHIPPED,
    (OrderStatus.SHIPPED, "complete"): OrderStatus.COMPLETED,
}

#: Who may take each action.
ACTION_PARTIES: dict[str, frozenset[str]] = {
    "accept": frozenset({"seller"}),
    "decline": frozenset({"seller"}),
    "process": frozenset({"seller"}),
    "ship": frozenset({"seller"}),
    "complete": frozenset({"seller", "buyer"}),
    "cancel": frozenset({"buyer"}),
    "expire": frozenset({"system"}),
}

#: Transitions that give the order's stock back to the products.
RELEASES_STOCK = frozenset({"decline", "cancel", "expire"})


def next_status(current: str, action: str) -> str | None:
    """The status ``action`` leads to from ``current``, or ``None`` when not allowed."""
    return TRANSITIONS.get((current, action))
