"""The officials' console: roles, announcements, the broadcast schedule, audit."""
