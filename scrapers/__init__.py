"""The page side: fetching, discovery, extraction and per-site adapters. Never touches the database."""

from scrapers.article import Article
from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import extract

__all__ = ["Article", "ErrorKind", "IngestError", "extract"]
