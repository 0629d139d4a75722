"""The use cases the CLI and the resolvers call (loading, the item index, the connectors' directory,
the seeds report): they compose the domain with the adapters and know nothing of HTTP or GraphQL.
"""
