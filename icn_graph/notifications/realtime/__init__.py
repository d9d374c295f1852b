"""Real-time delivery of notifications to GraphQL subscriptions, within and across processes."""
