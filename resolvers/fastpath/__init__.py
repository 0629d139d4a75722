"""Measured shortcuts through strawberry and graphql-core internals, kept apart from the GraphQL types.

Each module says what it replaces, why (the profile that showed the cost) and what a library upgrade must
re-check; tests/graphql pins the answers they must keep identical.
"""
