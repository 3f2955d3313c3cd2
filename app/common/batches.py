"""Long id lists in slices that fit one SQL `IN (...)`."""


def in_batches(values: list, size: int = 500):
    """`values` in slices small enough for one `IN (...)`, each with its "?,?,..." placeholders."""
    for start in range(0, len(values), size):
        part = values[start:start + size]
        yield part, ",".join("?" * len(part))
