"""Learning Sessions: planning sessions and their agenda, registrations, attendance, calendars.

- :mod:`.sessions`: listing, creating and editing sessions (staff plan them).
- :mod:`.agenda`: agenda items and who is on them; :mod:`.conflicts` holds the scheduling rules
  and :mod:`.times` how a session's time zone applies to times.
- :mod:`.registrations`: who comes, and who came.
- :mod:`.attendance`: the attendance mix by kind of person, as networks report their meetings.
- :mod:`.calendar`: the agenda as an iCalendar file; :mod:`.my_calendar` a person's own sessions
  and agenda items as one (a calendar feed's ``mine.ics``).
"""
