"""Bot commands the code handles; the command menu text per language lives in content."""

# Indonesian and English names of each command; both always work.
COMMANDS: dict[str, tuple[str, ...]] = {
    "start": ("start",),
    "menu": ("menu",),
    "help": ("help", "bantuan"),
    "language": ("bahasa", "language"),
    "countdown": ("hitungmundur", "countdown"),
    "sources": ("sumber", "sources"),
    "delete": ("hapusdata", "deletedata"),
    "privacy": ("privasi", "privacy"),
    "mydata": ("datasaya", "mydata"),
    "region": ("wilayah", "region", "tps"),
    "subscribe": ("langganan", "subscribe"),
    "unsubscribe": ("berhenti", "unsubscribe"),
}

KNOWN_COMMANDS: frozenset[str] = frozenset(name for names in COMMANDS.values() for name in names)
