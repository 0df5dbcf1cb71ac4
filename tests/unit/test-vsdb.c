/* Unit tests for db/vsdb.c: creating, opening and migrating the
 * configuration database, reading the whole configuration, status writes,
 * the cfg handshake counters, change detection, transactions, and many
 * writer processes at once. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "db/rule.h"
#include "db/vsdb.h"
#include "utilities/ds.h"

extern const char vsdb_schema_v1_sql[];

struct fixture {
    char dir[64];
    char path[128];
};

static int
setup(void **state)
{
    struct fixture *f = xzalloc(sizeof *f);
    strcpy(f->dir, "/tmp/test-vsdb.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/conf.db", f->dir);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

static struct vsdb *
open_ok(const char *path, unsigned int flags)
{
    struct vsdb *db;
    struct vsw_error err = { 0 };
    int error = vsdb_open(path, flags, &db, &err);
    if (error) {
        fail_msg("vsdb_open(%s): %s", path, err.msg);
    }
    return db;
}

static void
exec_ok(struct vsdb *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(vsdb_sqlite(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail_msg("%s: %s", sql, msg);
    }
}

static int64_t
query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static char *
query_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    const unsigned char *s = sqlite3_column_text(stmt, 0);
    char *r = xstrdup(s ? (const char *) s : "(null)");
    sqlite3_finalize(stmt);
    return r;
}

/* Raw sqlite handle on PATH, bypassing libvsdb (to build odd files). */
static sqlite3 *
raw_open(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail_msg("%s: %s", sql, msg);
    }
}

/* ------------------------------------------------------------------------ */

static void
test_create(void **state)
{
    struct fixture *f = *state;
    char path[192];
    snprintf(path, sizeof path, "%s/a/b/conf.db", f->dir);

    struct vsdb *db;
    struct vsw_error err = { 0 };
    assert_int_equal(vsdb_open(path, 0, &db, &err), ENOENT);
    assert_null(db);
    char *want = xasprintf("database %s does not exist", path);
    assert_string_equal(err.msg, want);
    free(want);

    db = open_ok(path, VSDB_OPEN_CREATE);
    assert_int_equal(vsdb_opened_version(db), 0);
    assert_string_equal(vsdb_path(db), path);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char dir[192];
    snprintf(dir, sizeof dir, "%s/a/b", f->dir);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    sqlite3 *s = vsdb_sqlite(db);
    assert_int_equal(query_int(s, "PRAGMA user_version"), VSDB_SCHEMA_VERSION);
    assert_int_equal(query_int(s, "PRAGMA foreign_keys"), 1);
    char *mode = query_text(s, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    /* The WAL and shared-memory files inherit the 0600 mode. */
    char wal[200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    exec_ok(db, "INSERT INTO bridge (name) VALUES ('br0')");
    assert_int_equal(stat(wal, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);

    struct vsdb_config *cfg;
    assert_int_equal(vsdb_read_config(db, &cfg, &err), 0);
    assert_int_equal(cfg->next_cfg, 0);
    assert_int_equal(cfg->cur_cfg, 0);
    assert_int_equal(cfg->n_bridges, 1);
    assert_string_equal(cfg->bridges[0].datapath_type, "xdp");
    assert_null(cfg->bridges[0].fail_mode);
    vsdb_config_free(cfg);
    vsdb_close(db);

    /* Reopening an existing file: nothing to migrate. */
    db = open_ok(path, 0);
    assert_int_equal(vsdb_opened_version(db), VSDB_SCHEMA_VERSION);
    vsdb_close(db);

    /* Not a regular file. */
    assert_int_equal(vsdb_open(f->dir, VSDB_OPEN_CREATE, &db, &err), EINVAL);
    assert_non_null(strstr(err.msg, "is not a regular file"));
}

static void
test_read_config(void **state)
{
    struct fixture *f = *state;
    struct vsdb *db = open_ok(f->path, VSDB_OPEN_CREATE);
    struct vsw_error err = { 0 };

    exec_ok(db,
        "INSERT INTO global_other_config VALUES ('flow-limit', '1000'),"
        "  ('pmd-cpu-mask', '0x6');"
        "INSERT INTO bridge (id, name, datapath_type, fail_mode) VALUES"
        "  (1, 'brz', 'dpdk', 'secure'), (2, 'bra', 'xdp', NULL);"
        "INSERT INTO bridge_other_config VALUES (1, 'mac-aging-time', '30');"
        "INSERT INTO port (id, bridge_id, name, tag, trunks, vlan_mode) VALUES"
        "  (1, 1, 'p2', 10, NULL, 'access'),"
        "  (2, 1, 'p1', NULL, '10,20, 30', 'native-untagged'),"
        "  (3, 2, 'pa', NULL, NULL, NULL);"
        "INSERT INTO port_other_config VALUES (2, 'k', 'v');"
        "INSERT INTO interface (id, port_id, name, type) VALUES"
        "  (1, 1, 'p2', 'dpdk'), (2, 2, 'p1', 'system'), (3, 3, 'pa', 'internal');"
        "INSERT INTO interface_options VALUES"
        "  (1, 'dpdk-devargs', 'net_null0'), (1, 'n_rxq', '2');"
        "INSERT INTO interface_other_config VALUES (1, 'pmd-rxq-affinity', '0:1');"
        "INSERT INTO rule (id, bridge_id, table_id, priority, \"match\", actions,"
        "  cookie, idle_timeout, hard_timeout, created_ms) VALUES"
        "  (1, 1, 0, 10, '', 'NORMAL', 0, 0, 0, 5),"
        "  (2, 1, 0, 200, 'in_port=p1', 'output:p2', -1, 60, 0, 6),"
        "  (3, 1, 1, 300, 'ip', 'drop', 0, 0, 0, 7);"
        "UPDATE global SET next_cfg = 7, cur_cfg = 5;");

    struct vsdb_config *cfg;
    assert_int_equal(vsdb_read_config(db, &cfg, &err), 0);
    assert_int_equal(cfg->next_cfg, 7);
    assert_int_equal(cfg->cur_cfg, 5);
    assert_string_equal(vsdb_smap_get(&cfg->other_config, "flow-limit"),
                        "1000");
    assert_int_equal(vsdb_smap_get_ull(&cfg->other_config, "pmd-cpu-mask", 0),
                     6);

    /* Sorted by name. */
    assert_int_equal(cfg->n_bridges, 2);
    assert_string_equal(cfg->bridges[0].name, "bra");
    const struct vsdb_bridge *br = &cfg->bridges[1];
    assert_ptr_equal(vsdb_config_find_bridge(cfg, "brz"), br);
    assert_null(vsdb_config_find_bridge(cfg, "nope"));
    assert_string_equal(br->datapath_type, "dpdk");
    assert_string_equal(br->fail_mode, "secure");
    assert_string_equal(vsdb_smap_get(&br->other_config, "mac-aging-time"),
                        "30");

    assert_int_equal(br->n_ports, 2);
    const struct vsdb_port *p1 = &br->ports[0], *p2 = &br->ports[1];
    assert_string_equal(p1->name, "p1");
    assert_ptr_equal(vsdb_bridge_find_port(br, "p2"), p2);
    assert_int_equal(p1->tag, -1);
    assert_int_equal(p1->n_trunks, 3);
    assert_int_equal(p1->trunks[0], 10);
    assert_int_equal(p1->trunks[2], 30);
    assert_int_equal(p1->vlan_mode, VSDB_VLAN_MODE_NATIVE_UNTAGGED);
    assert_string_equal(vsdb_smap_get(&p1->other_config, "k"), "v");
    assert_int_equal(p2->tag, 10);
    assert_int_equal(p2->n_trunks, 0);
    assert_int_equal(p2->vlan_mode, VSDB_VLAN_MODE_ACCESS);
    assert_int_equal(cfg->bridges[0].ports[0].vlan_mode,
                     VSDB_VLAN_MODE_DEFAULT);

    assert_int_equal(p2->n_ifaces, 1);
    const struct vsdb_interface *i2 = &p2->ifaces[0];
    assert_string_equal(i2->name, "p2");
    assert_string_equal(i2->type, "dpdk");
    assert_int_equal(i2->options.n, 2);
    assert_string_equal(vsdb_smap_get(&i2->options, "dpdk-devargs"),
                        "net_null0");
    assert_string_equal(vsdb_smap_get(&i2->other_config, "pmd-rxq-affinity"),
                        "0:1");
    assert_int_equal(i2->ofport, -1);
    assert_int_equal(i2->mtu, -1);
    assert_null(i2->mac);
    assert_null(i2->error);
    assert_string_equal(cfg->bridges[0].ports[0].ifaces[0].type, "internal");

    /* Rules: by table, then priority, highest first. */
    assert_int_equal(br->n_rules, 3);
    assert_int_equal(br->rules[0].priority, 200);
    assert_string_equal(br->rules[0].match, "in_port=p1");
    assert_string_equal(br->rules[0].actions, "output:p2");
    assert_int_equal(br->rules[0].cookie, UINT64_MAX);
    assert_int_equal(br->rules[0].idle_timeout, 60);
    assert_int_equal(br->rules[0].created_ms, 6);
    assert_int_equal(br->rules[1].priority, 10);
    assert_int_equal(br->rules[2].table_id, 1);
    assert_int_equal(cfg->bridges[0].n_rules, 0);

    /* vsdb_rule_text() gives something vsw_rule_parse() takes back. */
    char *text = vsdb_rule_text(&br->rules[0]);
    assert_string_equal(text, "table=0,priority=200,cookie=0xffffffffffffffff,"
                        "idle_timeout=60,in_port=p1,actions=output:p2");
    struct vsw_rule_spec spec;
    assert_int_equal(vsw_rule_parse(text, VSW_RULE_PARSE_ADD, &spec, &err), 0);
    assert_int_equal(spec.priority, 200);
    assert_string_equal(spec.match.in_port_name, "p1");
    assert_int_equal(spec.cookie, UINT64_MAX);
    free(text);
    text = vsdb_rule_text(&br->rules[2]);
    assert_string_equal(text, "table=1,priority=300,ip,actions=drop");
    free(text);
    vsdb_config_free(cfg);

    /* Deleting a bridge deletes everything under it. */
    exec_ok(db, "DELETE FROM bridge WHERE name = 'brz'");
    sqlite3 *s = vsdb_sqlite(db);
    assert_int_equal(query_int(s, "SELECT count(*) FROM port"), 1);
    assert_int_equal(query_int(s, "SELECT count(*) FROM interface"), 1);
    assert_int_equal(query_int(s, "SELECT count(*) FROM interface_options"), 0);
    assert_int_equal(query_int(s, "SELECT count(*) FROM rule"), 0);
    assert_int_equal(query_int(s, "SELECT count(*) FROM bridge_other_config"),
                     0);

    /* Constraints are enforced: tag range, unique names, foreign keys. */
    char *msg = NULL;
    assert_int_not_equal(sqlite3_exec(s, "UPDATE port SET tag = 4096", NULL,
                                      NULL, &msg), SQLITE_OK);
    sqlite3_free(msg);
    assert_int_not_equal(sqlite3_exec(s, "INSERT INTO port (bridge_id, name) "
                                      "VALUES (99, 'x')", NULL, NULL, &msg),
                         SQLITE_OK);
    sqlite3_free(msg);
    assert_int_not_equal(sqlite3_exec(s, "INSERT INTO bridge (name) "
                                      "VALUES ('bra')", NULL, NULL, &msg),
                         SQLITE_OK);
    sqlite3_free(msg);
    vsdb_close(db);
}

static void
test_status(void **state)
{
    struct fixture *f = *state;
    struct vsdb *db = open_ok(f->path, VSDB_OPEN_CREATE);
    struct vsw_error err = { 0 };
    exec_ok(db, "INSERT INTO bridge (id, name) VALUES (1, 'br0');"
                "INSERT INTO port (id, bridge_id, name) VALUES (1, 1, 'p1');"
                "INSERT INTO interface (id, port_id, name) VALUES (1, 1, 'p1');"
                "INSERT INTO rule (id, bridge_id, actions) VALUES (4, 1, 'drop');");

    struct vsdb_smap status = VSDB_SMAP_INITIALIZER;
    vsdb_smap_add(&status, "xdp_mode", "native");
    vsdb_smap_add(&status, "warning", "veth peer needs GRO");
    struct vsdb_iface_status st;
    vsdb_iface_status_init(&st);
    assert_int_equal(st.ofport, -1);
    st.ofport = 3;
    st.mac = "02:00:00:00:00:01";
    st.mtu = 1500;
    st.admin_state = "up";
    st.link_state = "down";
    st.error = "could not open network device p1 (No such device)";
    st.status = &status;

    /* Inside an explicit transaction, with cur_cfg, as vswitchd does. */
    assert_int_equal(vsdb_begin(db, VSDB_TXN_WRITE, &err), 0);
    assert_true(vsdb_in_txn(db));
    assert_int_equal(vsdb_set_iface_status(db, "p1", &st, &err), 0);
    assert_int_equal(vsdb_set_cur_cfg(db, 42, &err), 0);
    assert_int_equal(vsdb_commit(db, &err), 0);
    assert_false(vsdb_in_txn(db));

    struct vsdb_config *cfg;
    assert_int_equal(vsdb_read_config(db, &cfg, &err), 0);
    const struct vsdb_interface *i = &cfg->bridges[0].ports[0].ifaces[0];
    assert_int_equal(i->ofport, 3);
    assert_string_equal(i->mac, "02:00:00:00:00:01");
    assert_int_equal(i->mtu, 1500);
    assert_string_equal(i->admin_state, "up");
    assert_string_equal(i->link_state, "down");
    assert_string_equal(i->error,
                        "could not open network device p1 (No such device)");
    assert_true(vsdb_smap_equal(&i->status, &status));
    assert_int_equal(cfg->cur_cfg, 42);
    vsdb_config_free(cfg);

    /* Unknown now means unknown; the error is cleared; the map replaced. */
    vsdb_smap_remove(&status, "warning");
    vsdb_iface_status_init(&st);
    st.ofport = 3;
    st.status = &status;
    assert_int_equal(vsdb_set_iface_status(db, "p1", &st, &err), 0);
    struct vsdb_stat stats[] = {
        { "rx_packets", 10 }, { "tx_bytes", UINT64_C(1) << 40 },
    };
    assert_int_equal(vsdb_set_iface_statistics(db, "p1", stats, 2, &err), 0);
    assert_int_equal(vsdb_set_rule_stats(db, 4, 5, 600, &err), 0);
    assert_int_equal(vsdb_read_config(db, &cfg, &err), 0);
    i = &cfg->bridges[0].ports[0].ifaces[0];
    assert_null(i->error);
    assert_null(i->mac);
    assert_int_equal(i->mtu, -1);
    assert_int_equal(i->status.n, 1);
    assert_string_equal(vsdb_smap_get(&i->status, "xdp_mode"), "native");
    assert_string_equal(vsdb_smap_get(&i->statistics, "tx_bytes"),
                        "1099511627776");
    assert_int_equal(vsdb_smap_get_ull(&i->statistics, "rx_packets", 0), 10);
    assert_int_equal(cfg->bridges[0].rules[0].n_packets, 5);
    assert_int_equal(cfg->bridges[0].rules[0].n_bytes, 600);
    vsdb_config_free(cfg);
    /* Statistics are stored as numbers (sortable / summable in SQL). */
    assert_int_equal(query_int(vsdb_sqlite(db), "SELECT typeof(value) = "
                               "'integer' FROM interface_statistics WHERE "
                               "key = 'tx_bytes'"), 1);

    /* Gone rows: ENOENT, nothing written. */
    assert_int_equal(vsdb_set_iface_status(db, "nope", &st, &err), ENOENT);
    assert_string_equal(err.msg, "no interface named nope");
    assert_int_equal(vsdb_set_iface_statistics(db, "nope", stats, 2, &err),
                     ENOENT);
    assert_int_equal(vsdb_set_rule_stats(db, 99, 1, 1, &err), ENOENT);

    /* An unchanged status is not rewritten: other connections see no
     * change. */
    struct vsdb *other = open_ok(f->path, 0);
    bool changed;
    assert_int_equal(vsdb_poll_changed(other, &changed, &err), 0);
    assert_true(changed);
    assert_int_equal(vsdb_set_iface_status(db, "p1", &st, &err), 0);
    assert_int_equal(vsdb_set_iface_statistics(db, "p1", stats, 2, &err), 0);
    assert_int_equal(vsdb_poll_changed(other, &changed, &err), 0);
    assert_false(changed);
    st.ofport = 4;
    assert_int_equal(vsdb_set_iface_status(db, "p1", &st, &err), 0);
    assert_int_equal(vsdb_poll_changed(other, &changed, &err), 0);
    assert_true(changed);
    vsdb_close(other);

    vsdb_smap_destroy(&status);
    vsdb_close(db);
}

static void
test_cfg_and_changes(void **state)
{
    struct fixture *f = *state;
    struct vsdb *a = open_ok(f->path, VSDB_OPEN_CREATE);
    struct vsdb *b = open_ok(f->path, 0);
    struct vsw_error err = { 0 };
    int64_t next, cur;

    assert_int_equal(vsdb_get_cfg(a, &next, &cur, &err), 0);
    assert_int_equal(next, 0);
    assert_int_equal(cur, 0);

    bool changed;
    assert_int_equal(vsdb_poll_changed(a, &changed, &err), 0);
    assert_true(changed);               /* first call */
    assert_int_equal(vsdb_poll_changed(a, &changed, &err), 0);
    assert_false(changed);

    /* B (vsctl) bumps next_cfg twice; A (vswitchd) notices. */
    assert_int_equal(vsdb_bump_next_cfg(b, &next, &err), 0);
    assert_int_equal(next, 1);
    assert_int_equal(vsdb_begin(b, VSDB_TXN_WRITE, &err), 0);
    assert_int_equal(vsdb_bump_next_cfg(b, &next, &err), 0);
    assert_int_equal(next, 2);
    /* Not visible to A until committed. */
    assert_int_equal(vsdb_get_cfg(a, &next, NULL, &err), 0);
    assert_int_equal(next, 1);
    assert_int_equal(vsdb_commit(b, &err), 0);
    assert_int_equal(vsdb_poll_changed(a, &changed, &err), 0);
    assert_true(changed);
    assert_int_equal(vsdb_get_cfg(a, &next, &cur, &err), 0);
    assert_int_equal(next, 2);

    /* A's own write does not count as a change for A. */
    assert_int_equal(vsdb_set_cur_cfg(a, next, &err), 0);
    assert_int_equal(vsdb_poll_changed(a, &changed, &err), 0);
    assert_false(changed);
    assert_int_equal(vsdb_get_cfg(b, &next, &cur, &err), 0);
    assert_int_equal(cur, 2);

    /* A rolled-back transaction leaves nothing behind. */
    assert_int_equal(vsdb_begin(b, VSDB_TXN_WRITE, &err), 0);
    assert_int_equal(vsdb_bump_next_cfg(b, NULL, &err), 0);
    vsdb_rollback(b);
    assert_int_equal(vsdb_get_cfg(b, &next, NULL, &err), 0);
    assert_int_equal(next, 2);
    assert_int_equal(vsdb_poll_changed(a, &changed, &err), 0);
    assert_false(changed);

    /* Misuse. */
    assert_int_equal(vsdb_commit(b, &err), EINVAL);
    assert_int_equal(vsdb_begin(b, VSDB_TXN_READ, &err), 0);
    assert_int_equal(vsdb_begin(b, VSDB_TXN_READ, &err), EINVAL);
    vsdb_rollback(b);

    /* A writer that cannot get the lock gives up after the busy timeout
     * with a sentence, and a read snapshot is not blocked meanwhile. */
    assert_int_equal(vsdb_begin(a, VSDB_TXN_WRITE, &err), 0);
    vsdb_set_busy_timeout(b, 200);
    uint64_t t0 = vsw_time_msec();
    assert_int_equal(vsdb_begin(b, VSDB_TXN_WRITE, &err), EBUSY);
    uint64_t waited = vsw_time_msec() - t0;
    assert_true(waited >= 150 && waited < 5000);
    assert_non_null(strstr(err.msg, "is locked by another process"));
    assert_false(vsdb_in_txn(b));
    struct vsdb_config *cfg;
    assert_int_equal(vsdb_read_config(b, &cfg, &err), 0);
    vsdb_config_free(cfg);
    vsdb_rollback(a);
    assert_int_equal(vsdb_begin(b, VSDB_TXN_WRITE, &err), 0);
    assert_int_equal(vsdb_commit(b, &err), 0);

    vsdb_close(a);
    vsdb_close(b);
}

/* Describes every table's columns, foreign keys and indexes, to compare a
 * migrated schema with a fresh one. */
static void
describe_schema(sqlite3 *db, struct ds *out)
{
    sqlite3_stmt *tables;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT type, name, tbl_name FROM "
                                        "sqlite_master WHERE name NOT LIKE "
                                        "'sqlite_%' ORDER BY type, name", -1,
                                        &tables, NULL), SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *type = (const char *) sqlite3_column_text(tables, 0);
        const char *name = (const char *) sqlite3_column_text(tables, 1);
        const char *tbl = (const char *) sqlite3_column_text(tables, 2);
        ds_put_format(out, "%s %s on %s:", type, name, tbl);
        static const char *const pragmas[] = {
            "table_info", "foreign_key_list", "index_info",
        };
        for (size_t p = 0; p < ARRAY_SIZE(pragmas); p++) {
            if (!strcmp(type, "index") != (p == 2)) {
                continue;
            }
            char *sql = xasprintf("PRAGMA %s(\"%s\")", pragmas[p], name);
            sqlite3_stmt *cols;
            assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &cols, NULL),
                             SQLITE_OK);
            while (sqlite3_step(cols) == SQLITE_ROW) {
                ds_put_cstr(out, " (");
                for (int c = 0; c < sqlite3_column_count(cols); c++) {
                    const unsigned char *v = sqlite3_column_text(cols, c);
                    ds_put_format(out, "%s|", v ? (const char *) v : "NULL");
                }
                ds_put_cstr(out, ")");
            }
            sqlite3_finalize(cols);
            free(sql);
        }
        ds_put_char(out, '\n');
    }
    sqlite3_finalize(tables);
}

static void
test_migrate_v1(void **state)
{
    struct fixture *f = *state;
    struct vsw_error err = { 0 };

    /* A version 1 file with some configuration in it. */
    sqlite3 *raw = raw_open(f->path);
    raw_exec(raw, vsdb_schema_v1_sql);
    raw_exec(raw, "INSERT INTO bridge (id, name) VALUES (1, 'br0');"
                  "INSERT INTO port (id, bridge_id, name, tag) "
                  "  VALUES (1, 1, 'p1', 5);"
                  "INSERT INTO interface (id, port_id, name) VALUES (1, 1, 'p1');"
                  "INSERT INTO rule (bridge_id, priority, actions) "
                  "  VALUES (1, 9, 'NORMAL');"
                  "UPDATE global SET next_cfg = 3, cur_cfg = 3;");
    assert_int_equal(query_int(raw, "PRAGMA user_version"), 1);
    sqlite3_close(raw);

    struct vsdb *db = open_ok(f->path, 0);
    assert_int_equal(vsdb_opened_version(db), 1);
    assert_int_equal(query_int(vsdb_sqlite(db), "PRAGMA user_version"),
                     VSDB_SCHEMA_VERSION);
    struct vsdb_config *cfg;
    assert_int_equal(vsdb_read_config(db, &cfg, &err), 0);
    assert_int_equal(cfg->next_cfg, 3);
    assert_int_equal(cfg->bridges[0].ports[0].tag, 5);
    assert_int_equal(cfg->bridges[0].rules[0].priority, 9);
    assert_int_equal(cfg->bridges[0].rules[0].n_packets, 0);
    vsdb_config_free(cfg);
    /* The new tables work. */
    struct vsdb_stat stat = { "rx_packets", 1 };
    assert_int_equal(vsdb_set_iface_statistics(db, "p1", &stat, 1, &err), 0);

    /* Same tables, columns, keys and indexes as a fresh database. */
    char fresh_path[192];
    snprintf(fresh_path, sizeof fresh_path, "%s/fresh.db", f->dir);
    struct vsdb *fresh = open_ok(fresh_path, VSDB_OPEN_CREATE);
    struct ds a = DS_EMPTY, b = DS_EMPTY;
    describe_schema(vsdb_sqlite(db), &a);
    describe_schema(vsdb_sqlite(fresh), &b);
    assert_true(a.len > 500);
    assert_string_equal(ds_cstr(&a), ds_cstr(&b));
    ds_destroy(&a);
    ds_destroy(&b);
    vsdb_close(fresh);
    vsdb_close(db);

    /* Read-only handles cannot migrate. */
    snprintf(fresh_path, sizeof fresh_path, "%s/v1.db", f->dir);
    raw = raw_open(fresh_path);
    raw_exec(raw, vsdb_schema_v1_sql);
    sqlite3_close(raw);
    assert_int_equal(vsdb_open(fresh_path, VSDB_OPEN_READONLY, &db, &err),
                     EPROTO);
    assert_non_null(strstr(err.msg, "cannot be upgraded"));
}

static void
test_refuse(void **state)
{
    struct fixture *f = *state;
    struct vsw_error err = { 0 };
    struct vsdb *db;

    /* A newer schema. */
    sqlite3 *raw = raw_open(f->path);
    raw_exec(raw, "CREATE TABLE future (x); PRAGMA user_version = 99;");
    sqlite3_close(raw);
    vsw_set_program_name("vsctl");
    assert_int_equal(vsdb_open(f->path, VSDB_OPEN_CREATE, &db, &err), EPROTO);
    assert_null(db);
    assert_string_equal(err.msg, "database schema version 99 is newer than "
                        "this vsctl understands (2); upgrade vswitch");
    /* ...and left alone. */
    raw = raw_open(f->path);
    assert_int_equal(query_int(raw, "PRAGMA user_version"), 99);
    assert_int_equal(query_int(raw, "SELECT count(*) FROM sqlite_master"), 1);
    sqlite3_close(raw);

    /* Somebody else's sqlite file. */
    char path[192];
    snprintf(path, sizeof path, "%s/other.db", f->dir);
    raw = raw_open(path);
    raw_exec(raw, "CREATE TABLE t (x)");
    sqlite3_close(raw);
    assert_int_equal(vsdb_open(path, VSDB_OPEN_CREATE, &db, &err), EPROTO);
    assert_non_null(strstr(err.msg, "is not a vswitch database"));

    /* Not sqlite at all. */
    snprintf(path, sizeof path, "%s/garbage.db", f->dir);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    for (int i = 0; i < 200; i++) {
        fputs("this is not a database file at all. ", file);
    }
    fclose(file);
    assert_int_equal(vsdb_open(path, VSDB_OPEN_CREATE, &db, &err), EPROTO);
    assert_non_null(strstr(err.msg, "is not a vswitch database"));
}

static void
test_readonly(void **state)
{
    struct fixture *f = *state;
    struct vsw_error err = { 0 };
    struct vsdb *db = open_ok(f->path, VSDB_OPEN_CREATE);
    exec_ok(db, "INSERT INTO bridge (name) VALUES ('br0')");
    vsdb_close(db);

    db = open_ok(f->path, VSDB_OPEN_READONLY);
    struct vsdb_config *cfg;
    assert_int_equal(vsdb_read_config(db, &cfg, &err), 0);
    assert_int_equal(cfg->n_bridges, 1);
    vsdb_config_free(cfg);
    assert_int_equal(vsdb_bump_next_cfg(db, NULL, &err), EROFS);
    vsdb_close(db);

    char path[192];
    snprintf(path, sizeof path, "%s/missing.db", f->dir);
    assert_int_equal(vsdb_open(path, VSDB_OPEN_READONLY | VSDB_OPEN_CREATE,
                               &db, &err), ENOENT);
}

/* Many processes, each with its own handle, write at once: every
 * transaction lands exactly once. */
static void
test_parallel_writers(void **state)
{
    struct fixture *f = *state;
    enum { N_PROCS = 8, N_TXNS = 25 };
    struct vsdb *db = open_ok(f->path, VSDB_OPEN_CREATE);
    exec_ok(db, "INSERT INTO bridge (id, name) VALUES (1, 'br0')");
    vsdb_close(db);

    pid_t pids[N_PROCS];
    for (int p = 0; p < N_PROCS; p++) {
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (!pids[p]) {
            struct vsw_error err = { 0 };
            struct vsdb *child;
            if (vsdb_open(f->path, 0, &child, &err)) {
                fprintf(stderr, "child: %s\n", err.msg);
                _exit(1);
            }
            for (int t = 0; t < N_TXNS; t++) {
                char sql[128];
                snprintf(sql, sizeof sql, "INSERT INTO port (bridge_id, name) "
                         "VALUES (1, 'p%d_%d')", p, t);
                if (vsdb_begin(child, VSDB_TXN_WRITE, &err)
                    || sqlite3_exec(vsdb_sqlite(child), sql, NULL, NULL, NULL)
                    || vsdb_bump_next_cfg(child, NULL, &err)
                    || vsdb_commit(child, &err)) {
                    fprintf(stderr, "child: %s\n", err.msg);
                    _exit(1);
                }
            }
            vsdb_close(child);
            _exit(0);
        }
    }
    for (int p = 0; p < N_PROCS; p++) {
        int status;
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }

    db = open_ok(f->path, 0);
    struct vsw_error err = { 0 };
    int64_t next;
    assert_int_equal(vsdb_get_cfg(db, &next, NULL, &err), 0);
    assert_int_equal(next, N_PROCS * N_TXNS);
    assert_int_equal(query_int(vsdb_sqlite(db), "SELECT count(*) FROM port"),
                     N_PROCS * N_TXNS);
    vsdb_close(db);
}

static void
test_smap(void **state)
{
    (void) state;
    struct vsdb_smap a = VSDB_SMAP_INITIALIZER, b;
    vsdb_smap_init(&b);
    assert_true(vsdb_smap_equal(&a, &b));
    vsdb_smap_add(&a, "zeta", "1");
    vsdb_smap_add(&a, "alpha", "2");
    vsdb_smap_add_format(&a, "mid", "%d", 3);
    assert_int_equal(a.n, 3);
    assert_string_equal(a.nodes[0].key, "alpha");
    assert_string_equal(a.nodes[1].key, "mid");
    assert_string_equal(a.nodes[2].key, "zeta");
    vsdb_smap_add(&a, "alpha", "20");
    assert_int_equal(a.n, 3);
    assert_string_equal(vsdb_smap_get(&a, "alpha"), "20");
    assert_null(vsdb_smap_get(&a, "beta"));
    assert_false(vsdb_smap_equal(&a, &b));

    vsdb_smap_add(&b, "mid", "3");
    vsdb_smap_add(&b, "alpha", "20");
    vsdb_smap_add(&b, "zeta", "1");
    assert_true(vsdb_smap_equal(&a, &b));
    vsdb_smap_add(&b, "zeta", "2");
    assert_false(vsdb_smap_equal(&a, &b));

    assert_true(vsdb_smap_remove(&a, "mid"));
    assert_false(vsdb_smap_remove(&a, "mid"));
    assert_int_equal(a.n, 2);
    assert_string_equal(a.nodes[1].key, "zeta");

    vsdb_smap_add(&a, "hex", "0x1f");
    vsdb_smap_add(&a, "bad", "12x");
    vsdb_smap_add(&a, "neg", "-1");
    vsdb_smap_add(&a, "t", "true");
    vsdb_smap_add(&a, "f", "false");
    vsdb_smap_add(&a, "o", "maybe");
    assert_int_equal(vsdb_smap_get_ull(&a, "hex", 7), 31);
    assert_int_equal(vsdb_smap_get_ull(&a, "alpha", 7), 20);
    assert_int_equal(vsdb_smap_get_ull(&a, "bad", 7), 7);
    assert_int_equal(vsdb_smap_get_ull(&a, "neg", 7), 7);
    assert_int_equal(vsdb_smap_get_ull(&a, "none", 7), 7);
    assert_true(vsdb_smap_get_bool(&a, "t", false));
    assert_false(vsdb_smap_get_bool(&a, "f", true));
    assert_true(vsdb_smap_get_bool(&a, "o", true));
    assert_false(vsdb_smap_get_bool(&a, "none", false));

    vsdb_smap_destroy(&a);
    vsdb_smap_destroy(&b);
    assert_int_equal(a.n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cfg_and_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parallel_writers, setup,
                                        teardown),
        cmocka_unit_test(test_smap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
