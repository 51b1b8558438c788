"""The election calendar as users see it: countdown and what comes next."""
