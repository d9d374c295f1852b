"""Outcome reports in the schema: measures, reports with SPC, and the visits upload.

Import from the submodules (``enums``, ``types``, ``queries``, ``mutations``): ``schema/centers.py``
imports ``enums`` while this package's types still need ``Center``, so this module stays empty.
"""
