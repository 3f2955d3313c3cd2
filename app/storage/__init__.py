"""The store's ground floor: the schema, the one write path (rows, change clocks, audit entry),
what a read reads, backups, the audit chain, the lock on the live database, files kept with
records, the password and the integrity check."""
