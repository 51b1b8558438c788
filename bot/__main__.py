"""Command line: python -m bot run | shell | check | content | backup | restore | db | tps |
questions | broadcast | schedule. Settings are read once, here, and given to the command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.content.registry import ContentError, load_content
from bot.operations import _fail, cmd_backup, cmd_content, cmd_db, guard, run_command, settings_for
from bot.settings import Settings, SettingsError

log = logging.getLogger("bot")


# The update kinds the bot handles (registered with getUpdates or setWebhook).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.logging_setup import setup_logging

    try:
        token = settings.token
    except SettingsError as exc:
        return _fail(str(exc))
    secrets = [token] + ([settings.webhook_secret.get_secret_value()]
                         if settings.webhook_secret else [])
    setup_logging(settings.log_level, secrets, settings.log_format)
    if args.webhook and not (settings.webhook_url and settings.webhook_secret):
        return _fail("--webhook needs WEBHOOK_URL (the public URL Telegram calls) and "
                     "WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -)")
    try:
        app = build_application(settings, serve="webhook" if args.webhook else "polling")
    except ContentError as exc:
        return _fail(str(exc))
    try:
        if args.webhook:
            from bot.web import run_webhook

            assert settings.webhook_url and settings.webhook_secret
            log.info("starting in webhook mode on %s:%d", settings.webhook_listen,
                     settings.webhook_port)
            asyncio.run(run_webhook(app, settings.webhook_url,
                                    settings.webhook_secret.get_secret_value(), ALLOWED_UPDATES))
            return 0
        log.info("starting long polling against %s", settings.telegram_api_url)
        app.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=False)
    except InvalidToken:
        return _fail("BOT_TOKEN was rejected by the Bot API server (check it with @BotFather)")
    except NetworkError as exc:
        return _fail(f"cannot reach TELEGRAM_API_URL {settings.telegram_api_url}: {exc}", 1)
    return 0


def cmd_shell(args: argparse.Namespace, settings: Settings) -> int:
    """settings_for gave `--db` as DATABASE_PATH."""
    from bot.logging_setup import setup_logging
    from bot.shell.repl import run_shell

    if not args.db:
        # Never the production database: the shell keeps its own file.
        settings = settings.model_copy(update={"database_path": Path("data/shell.sqlite3"),
                                               "database_url": None})
    setup_logging("WARNING")
    try:
        return asyncio.run(run_shell(settings, lang=args.lang, name=args.name,
                                     sample_tps=args.sample_tps))
    except ContentError as exc:
        return _fail(str(exc))


def cmd_check(args: argparse.Namespace, settings: Settings | None) -> int:
    root = Path(args.content) if args.content or settings is None else settings.content_dir
    from bot.content.phases import sample_days
    from bot.regions.loader import load_regions

    try:
        content = load_content(root)
        regions = load_regions(content)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    claims = list({c.claim.id: c for eid in content.entries for v in content.versions(eid)
                   for c in v.entry.claims}.values())       # every layer's, each once
    print(f"content OK: {root}")
    print(f"  {len(content.entries)} FAQ entries in {len(content.topics)} topics, "
          f"{len(content.sources)} sources, {len(content.messages)} messages, "
          f"{len(content.election.milestones)} milestones")
    print(f"  {len(claims)} claims settled ({sum(not c.verdict for c in claims)} false, "
          f"{sum(c.verdict for c in claims)} true)")
    kinds = ", ".join(f"{len(v)} {k}" for k, v in sorted(content.kind_examples.items()))
    print(f"  {len(content.training)} labelled messages (training/); examples of kinds: "
          f"{kinds or 'none (kinds.yaml absent)'}")
    print(f"  {regions.root_name}: {len(regions.kecamatan)} kecamatan, {regions.desa_count} "
          f"desa/kelurahan; {len(content.subscription_topics)} subscription topics")
    if content.is_province:
        layered = ", ".join(f"{code} {layer.profile.name} ({len(layer.entries)} entries)"
                            for code, layer in content.layers.items())
        if content.is_national:
            provinces = ", ".join(f"{code} {layer.profile.name} ({len(layer.entries)} entries)"
                                  for code, layer in content.province_layers.items())
            print(f"  {len(regions.provinces)} provinces; province layers: {provinces or 'none'}")
        print(f"  {len(regions.kabupaten)} kabupaten/kota; region layers: {layered or 'none'}; "
              f"each layer and each combination (shared + province + region layer, and a "
              f"region without one) checked, broadcast templates with each one's contacts")
    days = len(sample_days(content.election))
    print("  every template rendered in every language with sample values; every answer on a "
          f"day of each election phase and after each milestone ({days} days)")
    return 0


def cmd_tps(args: argparse.Namespace, settings: Settings) -> int:
    from bot.regions.cli import export_tps, import_tps
    from bot.regions.loader import load_regions

    if args.action == "export":
        return asyncio.run(export_tps(settings, Path(args.file) if args.file else None))
    try:
        content = load_content(settings.content_dir)
        regions = load_regions(content)
    except ContentError as exc:
        return _fail(str(exc))
    return asyncio.run(import_tps(settings, content, regions, Path(args.file), sample=args.sample,
                                  dry_run=args.dry_run))


def cmd_questions(args: argparse.Namespace, settings: Settings) -> int:
    from bot.insights.cli import ExportError, export_questions

    try:
        return asyncio.run(export_questions(settings, args.since,
                                            Path(args.output) if args.output else None))
    except (ExportError, OSError) as exc:
        return _fail(str(exc))


def cmd_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    from bot.broadcasts import cli
    from bot.clock import SystemClock
    from bot.regions.loader import load_regions

    try:
        clock = SystemClock()
        if args.action == "list":
            asyncio.run(cli.list_all(settings))
        elif args.action == "status":
            asyncio.run(cli.status(settings, cli.parse_id(args.id), args.follow, clock))
        elif args.action in cli.TRANSITIONS:
            asyncio.run(cli.control(settings, args.action, cli.parse_id(args.id), clock.now()))
        else:
            content = load_content(settings.content_dir, render_check=False)
            regions = load_regions(content)
            asyncio.run(cli.send(settings, content, regions, text=args.text, template=args.template,
                                 region=args.region, lang=args.lang, topic=args.topic,
                                 at=args.at, urgent=args.urgent, now=clock.now()))
    except cli.InputError as exc:
        return cli.fail(str(exc))
    except ContentError as exc:
        return _fail(str(exc))
    return 0


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import date

    from bot.clock import SystemClock
    from scheduler.preview import preview

    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except ValueError:
        return _fail("--from and --to must be dates like 2024-11-01")
    if end < start:
        return _fail("--to is before --from")
    try:
        content = load_content(settings.content_dir)
    except ContentError as exc:
        return _fail(str(exc))
    return asyncio.run(preview(settings, content, start, end, SystemClock().now()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Suara voter-education bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument("--webhook", action="store_true",
                     help="receive updates by webhook (WEBHOOK_URL, WEBHOOK_SECRET, "
                          "WEBHOOK_LISTEN, WEBHOOK_PORT) instead of long polling")
    run.set_defaults(func=cmd_run)
    shell = sub.add_parser("shell", help="talk to the bot in this terminal, no token needed")
    shell.add_argument("--lang", default="id", choices=["id", "en"],
                       help="Telegram language of the simulated user (default: id)")
    shell.add_argument("--name", default="Warga", help="first name of the simulated user")
    shell.add_argument("--db", help="SQLite file (default: data/shell.sqlite3)")
    shell.add_argument("--sample-tps", action="store_true",
                       help="load the invented sample TPS list from tests/data (labelled as sample)")
    shell.set_defaults(func=cmd_shell)
    check = sub.add_parser("check", help="validate all content and render every template")
    check.add_argument("--content", help="content directory (default: CONTENT_DIR)")
    check.set_defaults(func=cmd_check)
    content = sub.add_parser("content", help="the election content")
    c_sub = content.add_subparsers(dest="action", required=True)
    c_init = c_sub.add_parser("init", help="copy the bundled content to DIR, to edit for a deployment")
    c_init.add_argument("dir", help="a new or empty folder")
    c_sub.add_parser("reload", help="validate CONTENT_DIR and have the running bot use it "
                                    "(also: SIGHUP to the bot)")
    content.set_defaults(func=cmd_content)
    backup = sub.add_parser("backup", help="an online, consistent copy of the database (bot may run)")
    backup.add_argument("path", help="the copy to write (must not exist)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database with a backup (bot stopped)")
    restore.add_argument("path", help="a file written by `backup`")
    restore.set_defaults(func=cmd_backup)
    db = sub.add_parser("db", help="the database: migrate it, or copy SQLite to PostgreSQL")
    d_sub = db.add_subparsers(dest="action", required=True)
    d_sub.add_parser("migrate", help="apply the migrations it lacks (also done at every start)")
    d_copy = d_sub.add_parser("copy", help="copy a stopped SQLite deployment (or a backup) into "
                                           "an empty PostgreSQL database")
    d_copy.add_argument("--to", required=True, help="postgresql://user:password@host:5432/db")
    d_copy.add_argument("--from", dest="source", help="SQLite file (default: DATABASE_PATH)")
    db.set_defaults(func=cmd_db)
    tps = sub.add_parser("tps", help="import or export the polling-station (TPS) list")
    tps_sub = tps.add_subparsers(dest="action", required=True)
    imp = tps_sub.add_parser("import", help="replace the TPS list with a CSV file (all or nothing)")
    imp.add_argument("file", help="CSV: kode_wilayah, tps, alamat[, lat, lon, aksesibilitas, keterangan]")
    imp.add_argument("--sample", action="store_true",
                     help="mark the list as sample data: every answer using it says so")
    imp.add_argument("--dry-run", action="store_true", help="validate only; change nothing")
    exp = tps_sub.add_parser("export", help="write the TPS list in force as CSV")
    exp.add_argument("file", nargs="?", help="output file (default: standard output)")
    tps.set_defaults(func=cmd_tps)

    questions = sub.add_parser("questions", help="what citizens asked that the bot could not answer")
    q_sub = questions.add_subparsers(dest="action", required=True)
    q_exp = q_sub.add_parser("export", help="the unanswered questions' groups as CSV")
    q_exp.add_argument("--since", help="only questions asked on or after this day (YYYY-MM-DD)")
    q_exp.add_argument("--output", "-o", help="write to this file instead of standard output")
    questions.set_defaults(func=cmd_questions)
    broadcast = sub.add_parser("broadcast", help="send and control broadcasts to subscribers")
    b_sub = broadcast.add_subparsers(dest="action", required=True)
    b_send = b_sub.add_parser("send", help="create a broadcast (a running bot sends it)")
    what = b_send.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="the message (plain text; at most 4096 characters)")
    what.add_argument("--template", help="a template id from content/schedule.yaml")
    b_send.add_argument("--region", help="only subscribers in this kecamatan or desa code")
    b_send.add_argument("--lang", choices=["id", "en"], help="only subscribers using this language")
    b_send.add_argument("--topic", help="countdown | socialisation | announcements "
                                        "(default: the template's, or announcements)")
    b_send.add_argument("--at", help='when, "YYYY-MM-DD HH:MM" in TIMEZONE (default: now)')
    b_send.add_argument("--urgent", action="store_true",
                        help="ignore quiet hours and the daily cap (official announcements)")
    b_sub.add_parser("list", help="the latest broadcasts")
    b_status = b_sub.add_parser("status", help="counts, rate and ETA of one broadcast")
    b_status.add_argument("id")
    b_status.add_argument("--follow", action="store_true", help="keep printing progress until it ends")
    for action in ("pause", "resume", "cancel"):
        b_sub.add_parser(action, help=f"{action} a broadcast").add_argument("id")
    broadcast.set_defaults(func=cmd_broadcast)

    schedule = sub.add_parser("schedule", help="the broadcast calendar from content")
    s_sub = schedule.add_subparsers(dest="action", required=True)
    s_preview = s_sub.add_parser("preview", help="what would go out when, to how many, rendered")
    s_preview.add_argument("--from", dest="start", required=True, help="first date, YYYY-MM-DD")
    s_preview.add_argument("--to", dest="end", required=True, help="last date, YYYY-MM-DD")
    schedule.set_defaults(func=cmd_schedule)
    args = parser.parse_args(argv)
    try:
        settings = settings_for(args)       # once: every command, its preflight included
    except SettingsError as exc:
        return _fail(str(exc))
    return guard(run_command, args, settings)


if __name__ == "__main__":
    sys.exit(main())
