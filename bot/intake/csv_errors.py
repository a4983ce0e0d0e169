"""The refusal of a CSV file: every bad row named with its line."""

from __future__ import annotations

from bot.errors import StockbotError
from bot.i18n import _, counted


def line_problem() -> str:
    """'line N: problem', to format."""
    return _("line {line}: {problem}")


class CsvImportError(StockbotError):
    """The file cannot be imported; `problems` lists each bad row as 'line N: ...'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:20])
        if len(problems) > 20:
            shown += " " + _("(and {n} more)").format(n=len(problems) - 20)
        super().__init__(
            counted(
                len(problems),
                "nothing imported, {n} problem: {shown}",
                "nothing imported, {n} problems: {shown}",
                shown=shown,
            )
        )
