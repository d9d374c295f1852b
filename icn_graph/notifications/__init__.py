"""Notifications: what people follow, who hears about an event, and how (in the app, by mail)."""
