"""The development pipeline has no job of its own: its deadlines reach people through the
reminder sources in development/reminders.py, which core.tasks.reminders runs."""
