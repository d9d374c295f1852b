"""A short, human name for the device behind a User-Agent: "Firefox on macOS", "curl"."""

from __future__ import annotations

import re

# Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
_PROGRAM = re.compile(r"^([A-Za-z][A-Za-z0-9._-]{0,40})/")


def describe_device(user_agent: str) -> str:
    if not user_agent.strip():
        return "Unknown device"
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return str(browser or system)
    program = _PROGRAM.match(user_agent.strip())
    return program.group(1) if program else "Unknown device"
