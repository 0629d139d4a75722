"""The browse API (issue 17 item 4), shaped as developers know it from the Neo4j GraphQL Library: ``where``
inputs with operators, ``sort: [{field, direction}]``, Relay connections (``<list>Connection(where, sort,
first, after)`` with ``totalCount``, ``pageInfo`` and ``edges {cursor node}``) and ``<list>Aggregate``
counts — every filter, count and grouping done by a named statement in the store, every page bounded by
``max_page``, paged by keyset cursors so a deep page costs what the first does.

``paging`` holds what every list shares (bounds, cursors, the connection types), ``filters`` the inputs and
how they become statement parameters, the other modules one list each.
"""
