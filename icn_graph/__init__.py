"""icn_graph: a GraphQL API for a learning health network."""

__version__ = "0.1.0"
