"""The `.env` file as the operator wrote it, checked before the settings read it.

pydantic-settings (python-dotenv) skips a line it cannot parse and ignores a name that is no
setting: a misspelt `DATABSE_PATH` ran on the default database, and `BOT_TOKEN="123:AA...`
with its quote left open was reported as "BOT_TOKEN is not set". Here a line that cannot be
read is an error naming `.env` and the line (never its value), and a name that is no setting
but close to one is a warning naming the setting it probably meant. Only `.env`: the rest of
the process environment holds many other programs' names.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterable
from pathlib import Path

from dotenv.parser import parse_stream

# Names a deployment's .env carries for other programs (compose.yaml), never warned about.
OTHERS = frozenset({"COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME", "POSTGRES_PASSWORD"})
NAME = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)")
CUTOFF = 0.8            # difflib's ratio: ADMIN_ID/ADMIN_IDS 0.94, LOG_LEVL/LOG_LEVEL 0.94


class EnvFileError(Exception):
    """A line of .env cannot be read; the message names the file and the line."""


def check_env_file(path: Path, known: Iterable[str]) -> list[str]:
    """Warnings (one line each) for names that look like a misspelt setting; EnvFileError for
    a line that cannot be read. A missing or unreadable file is the settings' business."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    names = {name.upper() for name in known}
    warnings = []
    for binding in parse_stream(io.StringIO(text)):
        line = binding.original.line
        if binding.error:
            found = NAME.match(binding.original.string)
            what = f"{found.group(1)}=... " if found else ""
            raise EnvFileError(f"{path} line {line}: {what}cannot be read (a quote left open, "
                               "or not NAME=value)")
        key = (binding.key or "").upper()
        if not key or key in names or key in OTHERS:
            continue
        close = difflib.get_close_matches(key, names, n=1, cutoff=CUTOFF)
        if close:
            warnings.append(f"warning: {path} line {line}: {binding.key} is not a setting and "
                            f"is ignored; did you mean {close[0]}?")
    return warnings

