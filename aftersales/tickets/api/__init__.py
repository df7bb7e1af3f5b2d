"""REST API for tickets, their comments and their status changes.

Reads go through the selectors, writes through the services; DomainErrors raised there reach
the API's exception handler untouched.
"""

from aftersales.tickets.api.views import CommentViewSet, TicketViewSet, TransitionViewSet

__all__ = ["CommentViewSet", "TicketViewSet", "TransitionViewSet"]
