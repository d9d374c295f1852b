"""The transactional outbox: dispatching committed events to their consumers, and sweeping up."""
