"""Database URLs: which backend a target names, and how to show one without its password."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote_plus, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")
# libpq's connection parameters that are secrets, whatever their case in a URL's query:
# the password, and the passphrase of the client's SSL key.
SECRET_PARAMS = frozenset({"password", "sslpassword"})
MASK = "***"


def is_postgres_url(target: str) -> bool:
    return target.lower().startswith(SCHEMES)


def _is_secret(name: str) -> bool:
    return unquote_plus(name).strip().lower() in SECRET_PARAMS


UNPARSEABLE = "<unparseable database URL>"


def redact_url(url: str) -> str:
    """The URL as it may be printed or logged: the password of `user:password@` and the value
    of every secret query parameter (`?password=`, `&SSLPassword=`, ...) replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return UNPARSEABLE
    if "@" in parts.netloc:
        user, _, host = parts.netloc.rpartition("@")
        name, colon, _ = user.partition(":")
        if colon or not name:        # a password there (a user alone, "user@host", is shown)
            parts = parts._replace(netloc=f"{name}:{MASK}@{host}" if name else f"{MASK}@{host}")
    if parts.query:
        query = "&".join(f"{item.partition('=')[0]}={MASK}"
                         if _is_secret(item.partition("=")[0]) else item
                         for item in parts.query.split("&"))
        parts = parts._replace(query=query)
    shown = urlunsplit(parts)
    # urlunsplit drops the "//" of a URL with no host for a scheme it does not know
    # ("postgresql:///suara?host=/run/postgresql"): shown as written
    if not parts.netloc and url[len(parts.scheme):].startswith("://"):
        shown = f"{parts.scheme}://{shown[len(parts.scheme) + 1:]}"
    return shown


def url_secrets(url: str) -> list[str]:
    """The secret values a URL carries (to be redacted wherever they appear on their own)."""
    try:
        parts = urlsplit(url)
        found = [parts.password or ""]
        found += [value for name, value in parse_qsl(parts.query, keep_blank_values=True)
                  if _is_secret(name)]
    except ValueError:
        return []
    return [value for value in found if value]
