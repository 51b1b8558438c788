"""The announcement flow's buttons: "1:A:<draft>:<op>", and a page of a list of them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.content.registry import Content
from bot.keyboards import REGION_PAGE, page_nav, page_of
from bot.officials.drafts import Draft

LIST_PAGE = REGION_PAGE   # regions (and templates) on one page of a list


def button(text: str, draft: Draft, op: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=Callback("A", f"{draft.id}:{op}").encode())


def grid(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def back_only(draft: Draft) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("⬅ Kembali", draft, "o"), button("✖ Batal", draft, "x")]])


def paged(draft: Draft, content: Content, items: Sequence[tuple[str, str]], page: int,
          width: int, page_op: Callable[[int], str], first: Sequence[InlineKeyboardButton] = (),
          back: InlineKeyboardButton | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """A page of a list: (label, op) buttons, `width` a row, each op carrying the item's index
    in the whole list; `first` above them; the last row the pages (`page_op`) and `back`.
    Also " (halaman p/n)" for the title, when there are pages."""
    shown, page, pages = page_of(items, page, LIST_PAGE)
    rows = [list(first)] if first else []
    rows += grid([button(label, draft, op) for label, op in shown], width)
    rows.append(page_nav(content, "id", page, pages,
                         lambda p: Callback("A", f"{draft.id}:{page_op(p)}"),
                         back or button("⬅ Kembali", draft, "o")))
    return (f" (halaman {page + 1}/{pages})" if pages > 1 else ""), InlineKeyboardMarkup(rows)
