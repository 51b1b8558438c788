"""The answer model's trainer on the fixture content, shared by the tests of tests/faq/."""

from __future__ import annotations

import pytest

from bot.content.registry import Content, load_content
from bot.faq.matcher import Matcher
from bot.faq.places import deployment_mask
from bot.faq.trainer import Trainer
from tests.conftest import FIXTURE_CONTENT


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Content, Matcher, Trainer]:
    content = load_content(FIXTURE_CONTENT)
    matcher = Matcher(content)
    mask = deployment_mask(content, matcher)
    return content, matcher, Trainer(content, matcher, tmp_path_factory.mktemp("model"),
                                     mask=mask)
