"""A database URL as it may be shown: no password, wherever libpq lets a URL carry one."""

from __future__ import annotations

import pytest

from bot.storage.urls import redact_url, url_secrets


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://suara:pw@db:5432/x", "postgresql://suara:***@db:5432/x"),
    ("postgresql://db:5432/x", "postgresql://db:5432/x"),
    ("postgresql://127.0.0.1:9/suara?user=suara&password=S3cretPw",
     "postgresql://127.0.0.1:9/suara?user=suara&password=***"),
    ("postgresql://h/d?PASSWORD=S3cretPw&sslmode=require", "postgresql://h/d?PASSWORD=***&sslmode=require"),
    ("postgresql://h/d?sslmode=verify-full&SSLPassword=K3yPass", "postgresql://h/d?sslmode=verify-full&SSLPassword=***"),
    ("postgresql://h/d?pass%77ord=S3cretPw", "postgresql://h/d?pass%77ord=***"),
    ("postgres://u:pw@h/d?password=S3cretPw&password=Tw1ce", "postgres://u:***@h/d?password=***&password=***"),
    # no host (libpq's unix socket): shown as written, not "postgresql:/suara?..."
    ("postgresql:///suara?host=/run/postgresql&password=S3cretPw",
     "postgresql:///suara?host=/run/postgresql&password=***"),
])
def test_every_password_is_masked(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "S3cret" not in redact_url(url) and "K3y" not in redact_url(url)


def test_the_secret_values_a_url_carries() -> None:
    assert url_secrets("postgresql://u:upw@h/d?Password=qpw&sslpassword=kpw&user=u") == [
        "upw", "qpw", "kpw"]
    assert url_secrets("postgresql://h/d?user=u") == []
