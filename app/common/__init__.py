"""What every layer uses and that knows nothing of the store: typed errors, text and date
cleaning, ID numbers, working days, shipped files, atomic file writes, the hybrid clock."""
