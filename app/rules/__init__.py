"""The one rule book (DESIGN §4): every synced table's fields and the rules across fields and rows,
declared once (`book.TABLES`) and asked by every door."""

from .book import TABLES
from .codes import MARK, label_of
from .engine import Breach, row_breaches, title_of
from .fields import as_day, today

__all__ = ["TABLES", "MARK", "Breach", "as_day", "label_of", "row_breaches", "title_of", "today"]
