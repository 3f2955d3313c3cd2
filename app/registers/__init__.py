"""Excel registers (台账/花名册) built on one writer."""
