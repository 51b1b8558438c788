"""Who may do what. Super-admins are ADMIN_IDS and hold every role; the others' roles live in
the database and are cached here, changed only through this service (so a removed role stops
working at once). Telegram-free."""

from __future__ import annotations

from datetime import datetime

from bot.storage import Database
from bot.storage.officials import ROLES, all_roles, audit, grant, revoke

SUPER = "super_admin"

# Which roles may use each admin command (super-admins may use all).
COMMAND_ROLES: dict[str, frozenset[str]] = {
    "statistik": frozenset(ROLES),
    "pertanyaan": frozenset(ROLES),
    "umumkan": frozenset({"announcer"}),
    "jadwal": frozenset({"announcer"}),
    "kampanye": frozenset({"campaign_manager"}),
    "petugas": frozenset(),
    "audit": frozenset(),
}
# Telegram command names of each (both languages work, as for citizens' commands).
ADMIN_COMMANDS: dict[str, tuple[str, ...]] = {
    "statistik": ("statistik", "stats"),
    "pertanyaan": ("pertanyaan", "questions"),
    "umumkan": ("umumkan", "broadcast"),
    "jadwal": ("jadwal", "schedule"),
    "kampanye": ("kampanye", "campaign"),
    "petugas": ("petugas", "officials"),
    "audit": ("audit",),
}
ROLE_NAMES = {"announcer": "pengumum (announcer)", "campaign_manager": "pengelola kampanye",
              "viewer": "pemantau (viewer)", SUPER: "super-admin"}


class Roles:
    def __init__(self, super_admins: tuple[int, ...]) -> None:
        self.super_admins = frozenset(super_admins)
        self._roles: dict[int, frozenset[str]] = {}

    async def load(self, db: Database) -> None:
        self._roles = await all_roles(db)

    def of(self, user_id: int | None) -> frozenset[str]:
        if user_id is None:
            return frozenset()
        if user_id in self.super_admins:
            return frozenset({SUPER, *ROLES})
        return self._roles.get(user_id, frozenset())

    def is_official(self, user_id: int | None) -> bool:
        return bool(self.of(user_id))

    def __contains__(self, user_id: object) -> bool:   # flood control exempts officials
        return isinstance(user_id, int) and self.is_official(user_id)

    def is_super(self, user_id: int | None) -> bool:
        return user_id in self.super_admins

    def may(self, user_id: int | None, command: str) -> bool:
        roles = self.of(user_id)
        return SUPER in roles or bool(roles & COMMAND_ROLES[command])

    def commands_for(self, user_id: int) -> list[str]:
        return [c for c in COMMAND_ROLES if self.may(user_id, c)]

    def officials(self) -> dict[int, frozenset[str]]:
        """Everyone with a role: stored officials and super-admins."""
        found = dict(self._roles)
        for uid in self.super_admins:
            found[uid] = self.of(uid)
        return found

    async def grant(self, db: Database, user_id: int, role: str, by: int | str,
                    now: datetime) -> bool:
        added = await grant(db, user_id, role, actor(by), now)
        if added:
            self._roles[user_id] = self._roles.get(user_id, frozenset()) | {role}
            await audit(db, now, actor(by), "role.grant", f"{user_id} {role}")
        return added

    async def revoke(self, db: Database, user_id: int, role: str | None, by: int | str,
                     now: datetime) -> int:
        removed = await revoke(db, user_id, role)
        if removed:
            left = frozenset() if role is None else self._roles.get(user_id, frozenset()) - {role}
            if left:
                self._roles[user_id] = left
            else:
                self._roles.pop(user_id, None)
            await audit(db, now, actor(by), "role.revoke", f"{user_id} {role or 'all'}")
        return removed


def actor(who: int | str) -> str:
    """How the audit log names who did it: tg:<Telegram id>, or cli."""
    return f"tg:{who}" if isinstance(who, int) else who
