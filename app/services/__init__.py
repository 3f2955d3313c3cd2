"""One service per domain, reached through the Store (store.delegates, store.groups...)."""
