"""Signing in: mailed single-use links, sessions, personal access tokens, rate limits and the
first admin of an empty database."""
