"""GraphQL for data stewardship: data requests, data views, display consent, identified reads."""
