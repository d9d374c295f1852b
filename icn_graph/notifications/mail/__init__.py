"""Notification mail: compose due notifications, render, add headers, send, unsubscribe."""
