"""The error a user sees when a whole file cannot be read: one sentence, Chinese then English."""

from __future__ import annotations


class FileRejected(Exception):
    """The file as a whole cannot be loaded (undecodable, no header row for the kind, a required column missing).

    It carries the two halves of the sentence so the CLI, the JSON summary and the import log show the same
    words, and the loader never turns a user mistake into a traceback.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"
