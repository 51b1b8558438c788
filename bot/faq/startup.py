"""The answer model at start and after a content reload: trained (or read from the cache: files
beside the database, and on PostgreSQL the database, shared.py) off the event loop, the first
stage first, then the sentence model and the second stage; each swapped in as it is ready.
A stop (shutdown, newer content) ends training at its next step."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.faq.cascade import AnswerCascade
from bot.faq.embeddings import Stopped, VectorStore
from bot.faq.learned import AnswerModel
from bot.faq.places import deployment_mask
from bot.faq.semantic import context_words, load_embedder
from bot.faq.shared import SharedModel
from bot.faq.trainer import Trainer, normaliser
from bot.memory import give_back
from bot.services import Services

log = logging.getLogger(__name__)


async def start_semantic(services: Services) -> None:
    """Train the answer model, or read it from the cache (off the loop): the first stage, then
    the sentence model and the second stage. The keywords answer until the first is ready."""
    try:
        await _load_answers(services, services.answers_stop)
    except InterruptedError:    # shutdown, or newer content
        log.info("answer model: stopped before it was ready")
    finally:
        services.model_ready.set()
        services.semantic_ready.set()


async def _load_answers(services: Services, stop: threading.Event) -> None:
    content, matcher, cache = services.content, services.matcher, services.settings.cache_path
    threads = services.settings.semantic_threads
    # Threads of our own (the default executor would make shutdown wait for a training step).
    pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="semantic")
    loop = asyncio.get_running_loop()
    context = context_words(content)
    try:
        # The model reads place names as one word per level (places.py), in training and after.
        mask = await loop.run_in_executor(pool, deployment_mask, content, matcher,
                                          services.regions)
        trainer = await loop.run_in_executor(pool, Trainer, content, matcher, cache, None, mask)
        # PostgreSQL: read from the database, or trained once among all processes (shared.py).
        shared = SharedModel.of(services.settings, services.db, services.clock, pool)
        first = await (shared.first(trainer, stop) if shared is not None
                       else loop.run_in_executor(pool, trainer.first, stop))
        normalise = normaliser(matcher.normalizer)
        _swap(services, AnswerCascade(matcher, AnswerModel(first, normalise=normalise, mask=mask),
                                      context=context))
        log.info("answer model: first stage ready")
        services.model_ready.set()
        # SEMANTIC_THREADS workers, sharing SEMANTIC_THREADS engine threads between the
        # questions they run at once (a question alone gets them all).
        embedder = await loop.run_in_executor(pool, load_embedder, threads) if threads else None
        if embedder is None:
            pool.shutdown(wait=False)
            return
        if shared is not None:
            second = await shared.second(trainer, embedder, stop)
        else:
            second = await loop.run_in_executor(pool, trainer.second, VectorStore(cache, embedder),
                                                stop)
    except (InterruptedError, Stopped):
        pool.shutdown(wait=False, cancel_futures=True)
        raise InterruptedError("answer model: stopped") from None
    except Exception as exc:
        log.warning("answer model unavailable (%s: %s); answering from what is ready",
                    type(exc).__name__, exc)
        pool.shutdown(wait=False)
        return
    except BaseException:   # cancelled at shutdown
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        log.info("answer model: stopped before it was ready")
        raise
    _swap(services, AnswerCascade(matcher, AnswerModel(first, second, normalise=normalise,
                                                              mask=mask),
                                  embedder, pool, context=context))
    log.info("answer model: second stage ready")


def _swap(services: Services, answers: AnswerCascade) -> None:
    old, services.answers = services.answers, answers
    if old.pool is not None and old.pool is not answers.pool:
        old.pool.shutdown(wait=False)     # the previous content's sentence model
    # The model lives until the next swap: keep it out of the garbage collector's full passes,
    # as post_init does for the content; what reading or training it freed goes back.
    give_back()
    gc.freeze()
