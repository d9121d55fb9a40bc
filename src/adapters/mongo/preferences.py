"""Page options each user chose (age level, style, paper), one MongoDB document per user."""

from __future__ import annotations

from pymongo.collection import Collection

from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.users import UserId

from .documents import Document, choice
from .errors import retried, storage_call

_DEFAULT = PageOptions()


def options_document(options: PageOptions) -> Document:
    return {
        "level": options.level.value,
        "style": options.style.value,
        "paper": options.paper.value,
    }


def read_options(doc: Document) -> PageOptions:
    """The options in `doc`; the defaults for fields it lacks or values this version does not know."""
    return PageOptions(
        level=choice(doc, "level", AgeLevel, _DEFAULT.level),
        style=choice(doc, "style", Style, _DEFAULT.style),
        paper=choice(doc, "paper", Paper, _DEFAULT.paper),
    )


class MongoPreferences:
    def __init__(self, preferences: Collection[Document]) -> None:
        self._preferences = preferences

    @storage_call("preferences.get")
    def get(self, user_id: UserId) -> PageOptions | None:
        found = retried(lambda: self._preferences.find_one({"_id": user_id}))
        return None if found is None else read_options(found)

    @storage_call("preferences.set")
    def set(self, user_id: UserId, options: PageOptions) -> None:
        document = options_document(options)
        retried(lambda: self._preferences.replace_one({"_id": user_id}, document, upsert=True))
