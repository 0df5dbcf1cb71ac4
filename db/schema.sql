-- The vswitch configuration database, schema version 2 (PRAGMA
-- user_version).  vsdb_open() runs this on a new file; older files are
-- brought here by db/migrations/NNN-*.sql, one version at a time.  Keep the
-- two in step: tests/unit/test-vsdb.c checks that a version 1 file migrated
-- forward has exactly the tables and columns of this one.
--
-- Desired state is written by vsctl; columns marked "status" are written
-- by vswitchd only (vsctl refuses to set them).  Maps (options,
-- other_config, status, statistics) are child tables of (owner, key, value).

CREATE TABLE global (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_cfg INTEGER NOT NULL DEFAULT 0,   -- bumped by every vsctl change
    cur_cfg INTEGER NOT NULL DEFAULT 0     -- status: last next_cfg applied
);
INSERT INTO global (id) VALUES (1);

CREATE TABLE global_other_config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE bridge (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    datapath_type TEXT NOT NULL DEFAULT 'xdp',
    fail_mode TEXT CHECK (fail_mode IN ('standalone', 'secure'))
);

CREATE TABLE bridge_other_config (
    bridge_id INTEGER NOT NULL REFERENCES bridge(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (bridge_id, key)
) WITHOUT ROWID;

CREATE TABLE port (
    id INTEGER PRIMARY KEY,
    bridge_id INTEGER NOT NULL REFERENCES bridge(id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE,
    tag INTEGER CHECK (tag BETWEEN 0 AND 4095),
    trunks TEXT,                -- "10,20,30"; NULL or '' = all VLANs
    vlan_mode TEXT CHECK (vlan_mode IN ('access', 'trunk', 'native-tagged',
                                        'native-untagged'))
);
CREATE INDEX port_bridge ON port(bridge_id);

CREATE TABLE port_other_config (
    port_id INTEGER NOT NULL REFERENCES port(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (port_id, key)
) WITHOUT ROWID;

CREATE TABLE interface (
    id INTEGER PRIMARY KEY,
    port_id INTEGER NOT NULL REFERENCES port(id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL DEFAULT 'system',
    ofport INTEGER,             -- status
    mac TEXT,                   -- status
    mtu INTEGER,                -- status
    admin_state TEXT,           -- status
    link_state TEXT,            -- status
    error TEXT                  -- status
);
CREATE INDEX interface_port ON interface(port_id);

CREATE TABLE interface_options (
    interface_id INTEGER NOT NULL REFERENCES interface(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (interface_id, key)
) WITHOUT ROWID;

CREATE TABLE interface_other_config (
    interface_id INTEGER NOT NULL REFERENCES interface(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (interface_id, key)
) WITHOUT ROWID;

-- status (version 2)
CREATE TABLE interface_status (
    interface_id INTEGER NOT NULL REFERENCES interface(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (interface_id, key)
) WITHOUT ROWID;

-- status (version 2)
CREATE TABLE interface_statistics (
    interface_id INTEGER NOT NULL REFERENCES interface(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (interface_id, key)
) WITHOUT ROWID;

CREATE TABLE rule (
    id INTEGER PRIMARY KEY,
    bridge_id INTEGER NOT NULL REFERENCES bridge(id) ON DELETE CASCADE,
    table_id INTEGER NOT NULL DEFAULT 0 CHECK (table_id BETWEEN 0 AND 254),
    priority INTEGER NOT NULL DEFAULT 32768
        CHECK (priority BETWEEN 0 AND 65535),
    "match" TEXT NOT NULL DEFAULT '',   -- canonical text (db/rule.h)
    actions TEXT NOT NULL,              -- canonical text; 'drop' = none
    cookie INTEGER NOT NULL DEFAULT 0,  -- 64 bits stored as signed
    idle_timeout INTEGER NOT NULL DEFAULT 0,
    hard_timeout INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL DEFAULT 0,
    n_packets INTEGER NOT NULL DEFAULT 0,   -- status (version 2)
    n_bytes INTEGER NOT NULL DEFAULT 0      -- status (version 2)
);
CREATE INDEX rule_bridge ON rule(bridge_id, table_id, priority);

PRAGMA user_version = 2;
