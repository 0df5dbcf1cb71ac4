-- Version 1 -> 2: per-interface status and statistics maps written by
-- vswitchd, and per-rule packet/byte counters for dump-flows.
-- Runs inside the transaction vsdb_open() opens for the migration.

CREATE TABLE interface_status (
    interface_id INTEGER NOT NULL REFERENCES interface(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (interface_id, key)
) WITHOUT ROWID;

CREATE TABLE interface_statistics (
    interface_id INTEGER NOT NULL REFERENCES interface(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (interface_id, key)
) WITHOUT ROWID;

ALTER TABLE rule ADD COLUMN n_packets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rule ADD COLUMN n_bytes INTEGER NOT NULL DEFAULT 0;

PRAGMA user_version = 2;
