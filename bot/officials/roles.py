"""Who may do what. Super-admins are ADMIN_IDS and hold every role; the others' roles live in
the database and are cached here, changed only through this service (so a removed role stops
working at once; on PostgreSQL every other process reloads them when told: bot/sharing.py).
Telegram-free."""

from __future__ import annotations

from datetime import datetime

from bot.storage import Database
from bot.storage.officials import ROLES, all_roles, audit, grant, official_of, revoke

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


def within(region: str | None, scope: str | None) -> bool:
    """Whether an audience in `region` (a region code; None = the whole deployment) lies inside
    `scope` (a kabupaten/kota code "16.03", or a province's "16" in a national deployment;
    None = the whole deployment)."""
    if scope is None:
        return True
    return region is not None and (region == scope or region.startswith(scope + "."))


class Roles:
    def __init__(self, super_admins: tuple[int, ...]) -> None:
        self.super_admins = frozenset(super_admins)
        self._roles: dict[int, dict[str, str | None]] = {}   # role -> region (None: all)

    async def load(self, db: Database) -> None:
        self._roles = await all_roles(db)

    def of(self, user_id: int | None) -> frozenset[str]:
        if user_id is None:
            return frozenset()
        if user_id in self.super_admins:
            return frozenset({SUPER, *ROLES})
        return frozenset(self._roles.get(user_id, {}))

    def regions_of(self, user_id: int) -> dict[str, str | None]:
        """role -> the kabupaten/kota or province it is scoped to (None: everywhere)."""
        if user_id in self.super_admins:
            return {SUPER: None}
        return dict(self._roles.get(user_id, {}))

    def scope(self, user_id: int | None, command: str) -> str | None:
        """Where `command` reaches for this official: None for the whole deployment (super-
        admins, or any role allowing it held everywhere), else the one kabupaten/kota (or
        province) code of the roles allowing it (grant keeps an official's scoped roles in one
        region)."""
        if user_id is None or user_id in self.super_admins:
            return None
        held = self._roles.get(user_id, {})
        scopes = {region for role, region in held.items() if role in COMMAND_ROLES[command]}
        if not scopes or None in scopes:
            return None
        return min(s for s in scopes if s is not None)

    def covers(self, user_id: int | None, command: str, region: str | None) -> bool:
        """May this official use `command` for an audience in `region` (None: everyone)?"""
        return self.may(user_id, command) and within(region, self.scope(user_id, command))

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
        found = {uid: frozenset(held) for uid, held in self._roles.items()}
        for uid in self.super_admins:
            found[uid] = self.of(uid)
        return found

    def conflict(self, user_id: int, region: str | None) -> str | None:
        """The other region this official already holds a role for, when `region` is a
        different one (an official's scoped roles share one region), else None."""
        if region is None:
            return None
        others = {r for r in self._roles.get(user_id, {}).values() if r is not None}
        return next((r for r in sorted(others) if r != region), None)

    async def grant(self, db: Database, user_id: int, role: str, by: int | str,
                    now: datetime, region: str | None = None) -> bool:
        if self.conflict(user_id, region) is not None:
            raise ValueError(f"{user_id} already holds roles for another region")
        added = await grant(db, user_id, role, actor(by), now, region)
        if added:
            self._roles.setdefault(user_id, {})[role] = region
            await audit(db, now, actor(by), "role.grant",
                        f"{user_id} {role}{f' {region}' if region else ''}")
        return added

    async def revoke(self, db: Database, user_id: int, role: str | None, by: int | str,
                     now: datetime) -> int:
        removed = await revoke(db, user_id, role)
        if removed:
            held = self._roles.get(user_id, {})
            if role is not None:
                held.pop(role, None)
            if role is None or not held:
                self._roles.pop(user_id, None)
            await audit(db, now, actor(by), "role.revoke", f"{user_id} {role or 'all'}")
        return removed


def actor(who: int | str) -> str:
    """How the audit log names who did it: tg:<Telegram id>, or cli."""
    return f"tg:{who}" if isinstance(who, int) else who


def shown_actor(created_by: str, to_super: bool) -> str:
    """Who made a broadcast, as an official reads it: whose Telegram id ("tg:<id>") is the
    super-admins' to know; others read "petugas". The CLI's and the calendar's keep their
    names."""
    return created_by if to_super or official_of(created_by) is None else "petugas"
