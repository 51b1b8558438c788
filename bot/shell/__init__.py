"""Offline Bot API: an emulator used by `python -m bot shell` and by the tests."""
