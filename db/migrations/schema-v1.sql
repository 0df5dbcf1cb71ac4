-- Schema version 1, as first released.  Not used to create databases (that
-- is db/schema.sql); kept so that tests can build a version 1 file and
-- prove that every migration in this folder still brings it forward.

CREATE TABLE global (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_cfg INTEGER NOT NULL DEFAULT 0,
    cur_cfg INTEGER NOT NULL DEFAULT 0
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
    trunks TEXT,
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
    ofport INTEGER,
    mac TEXT,
    mtu INTEGER,
    admin_state TEXT,
    link_state TEXT,
    error TEXT
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

CREATE TABLE rule (
    id INTEGER PRIMARY KEY,
    bridge_id INTEGER NOT NULL REFERENCES bridge(id) ON DELETE CASCADE,
    table_id INTEGER NOT NULL DEFAULT 0 CHECK (table_id BETWEEN 0 AND 254),
    priority INTEGER NOT NULL DEFAULT 32768
        CHECK (priority BETWEEN 0 AND 65535),
    "match" TEXT NOT NULL DEFAULT '',
    actions TEXT NOT NULL,
    cookie INTEGER NOT NULL DEFAULT 0,
    idle_timeout INTEGER NOT NULL DEFAULT 0,
    hard_timeout INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rule_bridge ON rule(bridge_id, table_id, priority);

PRAGMA user_version = 1;
