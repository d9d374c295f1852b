"""The rules of the network: validation, authorization and writes. No GraphQL here."""
