"""The web layer: the ASGI app, the GraphQL endpoint's limits and errors, GraphiQL, metrics.

It knows HTTP; the engine (hub.domain) and the use cases (hub.services) do not.
"""
