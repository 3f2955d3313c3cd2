"""意见建议: the opinion list, topics and statistics, a module per tab."""

from .page import OpinionsPage

__all__ = ["OpinionsPage"]
