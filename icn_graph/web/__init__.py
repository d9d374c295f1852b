"""HTTP surface: the GraphQL endpoint, the offline GraphiQL explorer and health checks."""
