from rest_framework.filters import OrderingFilter


class StableOrderingFilter(OrderingFilter):
    """Whatever order is asked for ends on the primary key, so pages never repeat or skip a row.

    PostgreSQL returns rows that tie on the sort key in any order, and may choose another one for
    each LIMIT/OFFSET; SQLite happens to keep them in insertion order, which hid the problem.
    """

    def filter_queryset(self, request, queryset, view):
        queryset = super().filter_queryset(request, queryset, view)
        ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & {str(term) for term in ordering}:
            queryset = queryset.order_by(*ordering, "pk")
        return queryset
