"""Load and validate all content: refused whole, with every problem listed at once.

The pieces: errors.py (problems with file, line and field), loaders.py (one loader per file
kind), checks.py (references and rendering), model.py (the `Content` the bot reads). The region
tree is not content's: bot/regions/loader.py builds it from the file election.yaml names.
"""

from __future__ import annotations

from pathlib import Path

from bot.content.candidates import check_candidates
from bot.content.checks import (
    check_button_ids,
    check_references,
    check_rendering,
    check_schedule,
)
from bot.content.errors import Collector, ContentError, Problem
from bot.content.layer_checks import check_combinations, check_layers
from bot.content.layers import load_layers, load_region_names, union_entries
from bot.content.loaders import (
    load_dialect,
    load_faq,
    load_kinds,
    load_messages,
    load_model,
    load_schedule,
    load_scope,
    load_sources,
    load_subscription_topics,
    load_topics,
)
from bot.content.model import Content, LoadedEntry, render_broadcast
from bot.content.render import make_environment
from bot.content.schema import Commands, Election
from bot.content.training import load_training

__all__ = ["Content", "ContentError", "LoadedEntry", "Problem", "load_content", "render_broadcast"]


def load_content(root: Path, render_check: bool = True) -> Content:
    """Load every content file under `root`; raise ContentError listing all problems.

    `render_check=False` skips rendering every template with sample values (schemas and
    references are still checked): for operator commands, on content the bot already checked.
    """
    root = Path(root)
    col = Collector(root)
    env = make_environment()
    sources = load_sources(col, root)
    election = load_model(col, root / "election.yaml", Election)
    commands = load_model(col, root / "commands.yaml", Commands)
    topics = load_topics(col, root)
    shared = load_faq(col, root, env)
    layers, province_layers = load_layers(col, root, env, sources)
    entries = union_entries(shared, [*province_layers.values(), *layers.values()])
    messages = load_messages(col, root, env)
    subscription_topics = load_subscription_topics(col, root)
    schedule, broadcast_templates = load_schedule(col, root, env)
    dialect = load_dialect(col, root)
    scope = load_scope(col, root)
    kinds = load_kinds(col, root)
    training = load_training(col, root, set(entries))
    roots = [p.root for p in province_layers.values()] + [p.root for p in layers.values()]
    for layer_root in roots:
        training += load_training(col, layer_root, set(entries))
    region_names = load_region_names(col, root)
    if schedule is not None:
        check_schedule(col, root, schedule, subscription_topics)
    # References are checked even when other files failed, so every problem shows at once.
    check_references(col, root, election, commands, sources, topics, shared)
    check_button_ids(col, root, topics, subscription_topics)
    col.raise_if_any()
    assert election is not None and commands is not None and schedule is not None
    content = Content(root, election, sources, topics, entries, messages, commands, schedule,
                      broadcast_templates, subscription_topics,
                      {w: d.means for w, d in dialect.words.items()} if dialect else {}, scope,
                      tuple((e.typed, e.means) for e in dialect.endings) if dialect else (),
                      training, kinds, shared=shared, layers=layers, other_names=region_names,
                      province_layers=province_layers)
    check_layers(col, content)
    check_candidates(col, content)
    col.raise_if_any()      # a layer's unknown source or milestone would not render
    if render_check:
        # A province's own answers are the shared ones; each layer's render in its view
        # (check_combinations), with the sources that layer adds.
        check_rendering(col, content, entry_ids=set(shared) if content.is_province else None)
        check_combinations(col, content)
    col.raise_if_any()
    return content
