"""The notification centre: events for users, shown in the app and sent in a daily digest.

registry: kinds of notification (how each is worded and where it links) and reminder sources
(set-based queries each app registers); services: notify, mark read, unread count; digest:
the daily e-mail, each notification sent at most once.
"""
