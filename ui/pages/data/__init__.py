"""数据: exchange, conflicts, backups, audit, password and archive, a module per tab."""

from .page import DataPage

__all__ = ["DataPage"]
