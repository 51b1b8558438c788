"""The storage functions' SQL, said in PostgreSQL's words: once per statement string (cached).

What the storage functions write is portable SQL except for two SQLite habits: `?`
placeholders (PostgreSQL numbers them: $1, $2, ...) and `INSERT OR IGNORE` (PostgreSQL's
`ON CONFLICT DO NOTHING`). Everything else they write is kept portable by hand: qualified
columns in an upsert's SET (`t.count + 1`), flags compared with 0/1, CAST of a bare parameter
whose type the statement does not fix, `insert_id` for new rows' ids."""

from __future__ import annotations

import re
from functools import lru_cache

_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_READS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW)\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


def number_placeholders(sql: str) -> str:
    """`?` -> $1, $2, ... outside quotes and comments."""
    out: list[str] = []
    count = 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:   # a doubled quote inside
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1])
            i = end + 1
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            count += 1
            out.append(f"${count}")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@lru_cache(maxsize=2048)
def to_postgres(sql: str) -> tuple[str, bool]:
    """(the statement for PostgreSQL, whether it returns rows)."""
    statement = sql.rstrip().rstrip(";")
    if _OR_IGNORE.match(statement):
        statement = _OR_IGNORE.sub("INSERT INTO", statement, count=1) + " ON CONFLICT DO NOTHING"
    statement = number_placeholders(statement)
    returns_rows = bool(_READS.match(statement) or _RETURNING.search(statement))
    return statement, returns_rows
