"""Excel registers (台账/花名册) built on one writer."""


def period(store, year: int | None = None, term_id: str | None = None) -> str:
    """A register title's （第一届，2026年）: the term and year it was filtered by, if any."""
    term = (store.terms.stored(term_id) or {}).get("name") if term_id else None
    parts = [p for p in (term, f"{year}年" if year else None) if p]
    return f"（{'，'.join(parts)}）" if parts else ""
