"""The one rule book (DESIGN §4): every synced table's fields and the rules across fields and rows,
declared once (`book.TABLES`) and asked by every door."""

from app.rules.book import TABLES
from app.rules.codes import MARK, label_of
from app.rules.engine import Breach, row_breaches, title_of
from app.rules.fields import as_day, today

__all__ = ["TABLES", "MARK", "Breach", "as_day", "label_of", "row_breaches", "title_of", "today"]
