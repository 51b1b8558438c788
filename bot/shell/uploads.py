"""Photo and document uploads for the offline Bot API (the shell and tests): checked like
Telegram checks them, and kept with their bytes so a test can open what was sent."""

from __future__ import annotations

from typing import Any

from bot.content.render import html_problem, telegram_length

JSON = dict[str, Any]


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class Uploads:
    """sendPhoto and sendDocument; the class using it provides _store and _check_markup."""

    def _store(self, chat_id: Any, **fields: Any) -> JSON:
        raise NotImplementedError

    @staticmethod
    def _check_markup(markup: Any) -> Any:
        raise NotImplementedError

    def _caption(self, params: JSON) -> str | None:
        caption = params.get("caption")
        if caption is None:
            return None
        if params.get("parse_mode") == "HTML" and html_problem(caption):
            raise ApiError(400, "Bad Request: can't parse entities in the caption")
        if telegram_length(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return str(caption)

    def _file(self, params: JSON, field: str) -> JSON:
        """An uploaded file (multipart) as the stored message's record: name and bytes."""
        upload = params.get("_files", {}).get(field)
        if upload is None:
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        name, content = upload
        if not content:
            raise ApiError(400, "Bad Request: file must be non-empty")
        return {"file_name": name, "file_size": len(content), "file_id": f"f{len(content)}",
                "file_unique_id": f"u{len(content)}", "_content": content}

    def _m_sendPhoto(self, params: JSON) -> JSON:
        photo = self._file(params, "photo")
        return self._store(params.get("chat_id"), caption=self._caption(params),
                           photo=[{**photo, "width": 1, "height": 1}],
                           reply_markup=self._check_markup(params.get("reply_markup")))

    def _m_sendDocument(self, params: JSON) -> JSON:
        return self._store(params.get("chat_id"), caption=self._caption(params),
                           document=self._file(params, "document"),
                           reply_markup=self._check_markup(params.get("reply_markup")))


