/* libvsdb: opening, migrating and reading/writing the configuration
 * database.  See vsdb.h for the model and the contract of each call. */
#include <config.h>
#include "db/vsdb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "utilities/ds.h"
#include "utilities/util.h"

/* Generated from db/schema.sql and db/migrations/ by db/sql2c.sh. */
extern const char vsdb_schema_sql[];
extern const char vsdb_migrate_002_sql[];

/* Migration to version .to from version .to - 1. */
static const struct {
    int to;
    const char *sql;
} migrations[] = {
    { 2, vsdb_migrate_002_sql },
};

struct vsdb {
    sqlite3 *db;
    char *path;
    int busy_ms;
    bool in_txn;
    bool readonly;
    int opened_version;
    bool have_data_version;
    int64_t data_version;
};

/* ------------------------------------------------------------------------
 * Small helpers.
 * ------------------------------------------------------------------------ */

/* Maps a sqlite result code to an errno. */
static int
sqlite_errno(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:         return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:     return EBUSY;
    case SQLITE_PERM:
    case SQLITE_AUTH:       return EACCES;
    case SQLITE_READONLY:   return EROFS;
    case SQLITE_NOMEM:      return ENOMEM;
    case SQLITE_FULL:       return ENOSPC;
    case SQLITE_CANTOPEN:   return ENOENT;
    case SQLITE_NOTADB:     return EPROTO;
    case SQLITE_CONSTRAINT: return EEXIST;
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:     return EINVAL;
    default:                return EIO;
    }
}

/* Fills ERR from the last sqlite failure on DB, prefixed by WHAT. */
static int
db_error(const struct vsdb *db, struct vsw_error *err, int rc,
         const char *what)
{
    int code = sqlite_errno(rc);
    if (code == EBUSY) {
        return vsw_error_set(err, EBUSY, "%s: database %s is locked by "
                             "another process (waited %d ms)", what,
                             db->path, db->busy_ms);
    }
    return vsw_error_set(err, code ? code : EIO, "%s: %s", what,
                         sqlite3_errmsg(db->db));
}

static sqlite3_stmt *
prepare(struct vsdb *db, const char *sql, struct vsw_error *err, int *errorp)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        *errorp = db_error(db, err, rc, "preparing a query");
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

static void
bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *s)
{
    if (s) {
        sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(stmt, idx);
    }
}

static void
bind_int_or_null(sqlite3_stmt *stmt, int idx, int64_t v)
{
    if (v >= 0) {
        sqlite3_bind_int64(stmt, idx, v);
    } else {
        sqlite3_bind_null(stmt, idx);
    }
}

static char *
column_strdup(sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    return s ? xstrdup((const char *) s) : NULL;
}

static int64_t
column_int_or(sqlite3_stmt *stmt, int col, int64_t dflt)
{
    return (sqlite3_column_type(stmt, col) == SQLITE_NULL
            ? dflt : sqlite3_column_int64(stmt, col));
}

static void
sleep_msec(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

/* Runs SQL (possibly several statements), retrying while the database is
 * busy until the busy timeout passes.  sqlite's own busy handler covers
 * most waits; the loop covers the cases where sqlite returns SQLITE_BUSY
 * without calling it (e.g. WAL recovery by another connection). */
static int
exec_retry(struct vsdb *db, const char *sql, struct vsw_error *err,
           const char *what)
{
    uint64_t deadline = vsw_time_msec() + (uint64_t) db->busy_ms;
    for (;;) {
        char *msg = NULL;
        int rc = sqlite3_exec(db->db, sql, NULL, NULL, &msg);
        if (rc == SQLITE_OK) {
            return 0;
        }
        if ((rc & 0xff) == SQLITE_BUSY && vsw_time_msec() < deadline) {
            sqlite3_free(msg);
            sleep_msec(1 + rand() % 10);
            continue;
        }
        int code = sqlite_errno(rc);
        if (code == EBUSY) {
            vsw_error_set(err, EBUSY, "%s: database %s is locked by another "
                          "process (waited %d ms)", what, db->path,
                          db->busy_ms);
        } else {
            vsw_error_set(err, code, "%s: %s", what,
                          msg ? msg : sqlite3_errstr(rc));
        }
        sqlite3_free(msg);
        return code;
    }
}

static int
query_int(struct vsdb *db, const char *sql, int64_t *out,
          struct vsw_error *err)
{
    int error = 0;
    sqlite3_stmt *stmt = prepare(db, sql, err, &error);
    if (!stmt) {
        return error;
    }
    uint64_t deadline = vsw_time_msec() + (uint64_t) db->busy_ms;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_BUSY
           && vsw_time_msec() < deadline) {
        sqlite3_reset(stmt);
        sleep_msec(1 + rand() % 10);
    }
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(stmt, 0);
        error = 0;
    } else if (rc == SQLITE_DONE) {
        error = vsw_error_set(err, ENOENT, "no result for \"%s\"", sql);
    } else {
        error = db_error(db, err, rc, "reading the database");
    }
    sqlite3_finalize(stmt);
    return error;
}

/* Runs a write helper inside a transaction of its own when the caller has
 * none open, so that its several statements apply together. */
static int
auto_begin(struct vsdb *db, bool *started, struct vsw_error *err)
{
    *started = false;
    if (db->in_txn) {
        return 0;
    }
    int error = vsdb_begin(db, VSDB_TXN_WRITE, err);
    if (!error) {
        *started = true;
    }
    return error;
}

static int
auto_end(struct vsdb *db, bool started, int error, struct vsw_error *err)
{
    if (!started) {
        return error;
    }
    if (error) {
        vsdb_rollback(db);
        return error;
    }
    return vsdb_commit(db, err);
}

/* ------------------------------------------------------------------------
 * String maps.
 * ------------------------------------------------------------------------ */

void
vsdb_smap_init(struct vsdb_smap *smap)
{
    smap->n = 0;
    smap->nodes = NULL;
}

void
vsdb_smap_destroy(struct vsdb_smap *smap)
{
    for (size_t i = 0; i < smap->n; i++) {
        free(smap->nodes[i].key);
        free(smap->nodes[i].value);
    }
    free(smap->nodes);
    vsdb_smap_init(smap);
}

/* Index of KEY, or of where it would go (with *FOUND false). */
static size_t
smap_find(const struct vsdb_smap *smap, const char *key, bool *found)
{
    size_t lo = 0, hi = smap->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(smap->nodes[mid].key, key);
        if (!cmp) {
            *found = true;
            return mid;
        } else if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = false;
    return lo;
}

void
vsdb_smap_add(struct vsdb_smap *smap, const char *key, const char *value)
{
    bool found;
    size_t i = smap_find(smap, key, &found);
    if (found) {
        free(smap->nodes[i].value);
        smap->nodes[i].value = xstrdup(value);
        return;
    }
    smap->nodes = xrealloc(smap->nodes, (smap->n + 1) * sizeof *smap->nodes);
    memmove(&smap->nodes[i + 1], &smap->nodes[i],
            (smap->n - i) * sizeof *smap->nodes);
    smap->nodes[i].key = xstrdup(key);
    smap->nodes[i].value = xstrdup(value);
    smap->n++;
}

void
vsdb_smap_add_format(struct vsdb_smap *smap, const char *key,
                     const char *fmt, ...)
{
    struct ds ds = DS_EMPTY;
    va_list args;
    va_start(args, fmt);
    ds_put_vformat(&ds, fmt, args);
    va_end(args);
    vsdb_smap_add(smap, key, ds_cstr(&ds));
    ds_destroy(&ds);
}

bool
vsdb_smap_remove(struct vsdb_smap *smap, const char *key)
{
    bool found;
    size_t i = smap_find(smap, key, &found);
    if (!found) {
        return false;
    }
    free(smap->nodes[i].key);
    free(smap->nodes[i].value);
    memmove(&smap->nodes[i], &smap->nodes[i + 1],
            (smap->n - i - 1) * sizeof *smap->nodes);
    smap->n--;
    return true;
}

const char *
vsdb_smap_get(const struct vsdb_smap *smap, const char *key)
{
    bool found;
    size_t i = smap_find(smap, key, &found);
    return found ? smap->nodes[i].value : NULL;
}

unsigned long long
vsdb_smap_get_ull(const struct vsdb_smap *smap, const char *key,
                  unsigned long long dflt)
{
    const char *s = vsdb_smap_get(smap, key);
    if (!s || !*s || *s == '-' || *s == ' ') {
        return dflt;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    return (errno || *end) ? dflt : v;
}

bool
vsdb_smap_get_bool(const struct vsdb_smap *smap, const char *key, bool dflt)
{
    const char *s = vsdb_smap_get(smap, key);
    if (!s) {
        return dflt;
    }
    if (!strcmp(s, "true")) {
        return true;
    } else if (!strcmp(s, "false")) {
        return false;
    }
    return dflt;
}

bool
vsdb_smap_equal(const struct vsdb_smap *a, const struct vsdb_smap *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->nodes[i].key, b->nodes[i].key)
            || strcmp(a->nodes[i].value, b->nodes[i].value)) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------------
 * Opening, creating, migrating.
 * ------------------------------------------------------------------------ */

/* Creates the missing directories leading to PATH's file, each 0700. */
static int
make_parent_dirs(const char *path, struct vsw_error *err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int error = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; ; p++) {
            if (*p == '/' || *p == '\0') {
                char save = *p;
                *p = '\0';
                if (mkdir(dir, 0700) && errno != EEXIST) {
                    error = vsw_error_set(err, errno, "cannot create "
                                          "directory %s: %s", dir,
                                          strerror(errno));
                    break;
                }
                *p = save;
                if (!save) {
                    break;
                }
            }
        }
    }
    free(dir);
    return error;
}

static int
create_file(const char *path, struct vsw_error *err)
{
    int error = make_parent_dirs(path, err);
    if (error) {
        return error;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            return 0;           /* another process made it just now */
        }
        return vsw_error_set(err, errno, "cannot create database %s: %s",
                             path, strerror(errno));
    }
    close(fd);
    return 0;
}

/* Whether the file has any table of its own. */
static int
count_tables(struct vsdb *db, int64_t *n, struct vsw_error *err)
{
    return query_int(db, "SELECT count(*) FROM sqlite_master "
                     "WHERE type = 'table'", n, err);
}

static int
newer_error(struct vsdb *db, int64_t version, struct vsw_error *err)
{
    (void) db;
    return vsw_error_set(err, EPROTO, "database schema version %"PRId64" is "
                         "newer than this %s understands (%d); upgrade "
                         "vswitch", version, vsw_program_name(),
                         VSDB_SCHEMA_VERSION);
}

/* Brings the schema to VSDB_SCHEMA_VERSION: creates it in an empty file,
 * migrates an older one, refuses a newer one. */
static int
init_schema(struct vsdb *db, struct vsw_error *err)
{
    int64_t version;
    int error = query_int(db, "PRAGMA user_version", &version, err);
    if (error) {
        return error;
    }
    db->opened_version = (int) version;
    if (version == VSDB_SCHEMA_VERSION) {
        return 0;
    } else if (version > VSDB_SCHEMA_VERSION) {
        return newer_error(db, version, err);
    } else if (db->readonly) {
        return vsw_error_set(err, EPROTO, "database %s has schema version "
                             "%"PRId64" and was opened read-only, so it "
                             "cannot be upgraded to %d", db->path, version,
                             VSDB_SCHEMA_VERSION);
    }

    /* Check again under the write lock: another process may be doing the
     * same thing right now. */
    error = vsdb_begin(db, VSDB_TXN_WRITE, err);
    if (error) {
        return error;
    }
    error = query_int(db, "PRAGMA user_version", &version, err);
    if (error) {
        goto out;
    }
    db->opened_version = (int) version;
    if (version > VSDB_SCHEMA_VERSION) {
        error = newer_error(db, version, err);
    } else if (version == 0) {
        int64_t n_tables;
        error = count_tables(db, &n_tables, err);
        if (!error && n_tables) {
            error = vsw_error_set(err, EPROTO, "%s is not a vswitch database "
                                  "(it has tables but no schema version)",
                                  db->path);
        }
        if (!error) {
            error = exec_retry(db, vsdb_schema_sql, err,
                               "creating the schema");
        }
    } else {
        for (size_t i = 0; i < ARRAY_SIZE(migrations) && !error; i++) {
            if (migrations[i].to > version) {
                error = exec_retry(db, migrations[i].sql, err,
                                   "migrating the schema");
                if (error) {
                    struct vsw_error e2 = *err;
                    error = vsw_error_set(err, error, "upgrading database "
                                          "schema from version %d to %d "
                                          "failed: %s", migrations[i].to - 1,
                                          migrations[i].to, e2.msg);
                }
            }
        }
    }

out:
    if (error) {
        vsdb_rollback(db);
        return error;
    }
    return vsdb_commit(db, err);
}

int
vsdb_open(const char *path, unsigned int flags, struct vsdb **dbp,
          struct vsw_error *err)
{
    *dbp = NULL;
    vsw_error_clear(err);

    bool readonly = (flags & VSDB_OPEN_READONLY) != 0;
    struct stat st;
    if (stat(path, &st)) {
        if (errno != ENOENT) {
            return vsw_error_set(err, errno, "cannot access database %s: %s",
                                 path, strerror(errno));
        }
        if (!(flags & VSDB_OPEN_CREATE) || readonly) {
            return vsw_error_set(err, ENOENT, "database %s does not exist",
                                 path);
        }
        int error = create_file(path, err);
        if (error) {
            return error;
        }
    } else if (!S_ISREG(st.st_mode)) {
        return vsw_error_set(err, EINVAL, "database %s is not a regular file",
                             path);
    }

    struct vsdb *db = xzalloc(sizeof *db);
    db->path = xstrdup(path);
    db->busy_ms = VSDB_DEFAULT_BUSY_TIMEOUT_MS;
    db->readonly = readonly;

    int oflags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
                 | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &db->db, oflags, NULL);
    int error;
    if (rc != SQLITE_OK) {
        int code = sqlite_errno(rc);
        error = vsw_error_set(err, code == ENOENT ? EACCES : code,
                              "cannot open database %s: %s", path,
                              db->db ? sqlite3_errmsg(db->db)
                                     : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(db->db, 0);
    sqlite3_busy_timeout(db->db, db->busy_ms);

    /* A file that is not sqlite at all fails here, on the first read. */
    if (!readonly) {
        error = exec_retry(db, "PRAGMA journal_mode = WAL", err,
                           "opening the database");
        if (error) {
            if (error == EPROTO || error == EIO) {
                error = vsw_error_set(err, EPROTO, "%s is not a vswitch "
                                      "database (%s)", path, err->msg);
            }
            goto fail;
        }
    }
    error = exec_retry(db, "PRAGMA foreign_keys = ON", err,
                       "opening the database");
    if (error) {
        goto fail;
    }
    error = init_schema(db, err);
    if (error) {
        if (error == EIO) {
            error = vsw_error_set(err, EPROTO, "%s is not a vswitch database "
                                  "(%s)", path, err->msg);
        }
        goto fail;
    }
    *dbp = db;
    return 0;

fail:
    vsdb_close(db);
    return error;
}

void
vsdb_close(struct vsdb *db)
{
    if (db) {
        if (db->in_txn) {
            vsdb_rollback(db);
        }
        sqlite3_close_v2(db->db);
        free(db->path);
        free(db);
    }
}

const char *
vsdb_path(const struct vsdb *db)
{
    return db->path;
}

struct sqlite3 *
vsdb_sqlite(struct vsdb *db)
{
    return db->db;
}

int
vsdb_opened_version(const struct vsdb *db)
{
    return db->opened_version;
}

void
vsdb_set_busy_timeout(struct vsdb *db, int msec)
{
    db->busy_ms = msec < 0 ? 0 : msec;
    sqlite3_busy_timeout(db->db, db->busy_ms);
}

/* ------------------------------------------------------------------------
 * Transactions.
 * ------------------------------------------------------------------------ */

int
vsdb_begin(struct vsdb *db, enum vsdb_txn_kind kind, struct vsw_error *err)
{
    if (db->in_txn) {
        return vsw_error_set(err, EINVAL, "a transaction is already open");
    }
    int error = exec_retry(db, kind == VSDB_TXN_WRITE ? "BEGIN IMMEDIATE"
                                                      : "BEGIN DEFERRED",
                           err, "starting a transaction");
    if (!error) {
        db->in_txn = true;
    }
    return error;
}

int
vsdb_commit(struct vsdb *db, struct vsw_error *err)
{
    if (!db->in_txn) {
        return vsw_error_set(err, EINVAL, "no transaction is open");
    }
    int error = exec_retry(db, "COMMIT", err, "committing");
    if (error) {
        vsdb_rollback(db);
        return error;
    }
    db->in_txn = false;
    return 0;
}

void
vsdb_rollback(struct vsdb *db)
{
    if (db->in_txn) {
        /* Fails only when sqlite already rolled back by itself. */
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
        db->in_txn = false;
    }
}

bool
vsdb_in_txn(const struct vsdb *db)
{
    return db->in_txn;
}

/* ------------------------------------------------------------------------
 * Reading the configuration.
 * ------------------------------------------------------------------------ */

/* Prepared statements used by one vsdb_read_config() call. */
enum read_stmt {
    RS_GLOBAL,
    RS_GLOBAL_OC,
    RS_BRIDGES,
    RS_BRIDGE_OC,
    RS_PORTS,
    RS_PORT_OC,
    RS_IFACES,
    RS_IFACE_OPTIONS,
    RS_IFACE_OC,
    RS_IFACE_STATUS,
    RS_IFACE_STATS,
    RS_RULES,
    N_READ_STMTS
};

static const char *const read_sql[N_READ_STMTS] = {
    [RS_GLOBAL] = "SELECT next_cfg, cur_cfg FROM global WHERE id = 1",
    [RS_GLOBAL_OC] = "SELECT key, value FROM global_other_config "
                     "ORDER BY key",
    [RS_BRIDGES] = "SELECT id, name, datapath_type, fail_mode FROM bridge "
                   "ORDER BY name",
    [RS_BRIDGE_OC] = "SELECT key, value FROM bridge_other_config "
                     "WHERE bridge_id = ?1 ORDER BY key",
    [RS_PORTS] = "SELECT id, name, tag, trunks, vlan_mode FROM port "
                 "WHERE bridge_id = ?1 ORDER BY name",
    [RS_PORT_OC] = "SELECT key, value FROM port_other_config "
                   "WHERE port_id = ?1 ORDER BY key",
    [RS_IFACES] = "SELECT id, name, type, ofport, mac, mtu, admin_state, "
                  "link_state, error FROM interface WHERE port_id = ?1 "
                  "ORDER BY name",
    [RS_IFACE_OPTIONS] = "SELECT key, value FROM interface_options "
                         "WHERE interface_id = ?1 ORDER BY key",
    [RS_IFACE_OC] = "SELECT key, value FROM interface_other_config "
                    "WHERE interface_id = ?1 ORDER BY key",
    [RS_IFACE_STATUS] = "SELECT key, value FROM interface_status "
                        "WHERE interface_id = ?1 ORDER BY key",
    [RS_IFACE_STATS] = "SELECT key, value FROM interface_statistics "
                       "WHERE interface_id = ?1 ORDER BY key",
    [RS_RULES] = "SELECT id, table_id, priority, \"match\", actions, cookie, "
                 "idle_timeout, hard_timeout, n_packets, n_bytes, created_ms "
                 "FROM rule WHERE bridge_id = ?1 "
                 "ORDER BY table_id, priority DESC, id",
};

struct reader {
    struct vsdb *db;
    sqlite3_stmt *stmts[N_READ_STMTS];
    struct vsw_error *err;
};

/* Starts statement WHICH with ?1 = ID (when ID >= 0). */
static sqlite3_stmt *
reader_start(struct reader *r, enum read_stmt which, int64_t id)
{
    sqlite3_stmt *stmt = r->stmts[which];
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (id >= 0) {
        sqlite3_bind_int64(stmt, 1, id);
    }
    return stmt;
}

/* Steps STMT; returns 1 for a row, 0 at the end, -errno on failure. */
static int
reader_step(struct reader *r, sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        return 1;
    } else if (rc == SQLITE_DONE) {
        return 0;
    }
    return -db_error(r->db, r->err, rc, "reading the configuration");
}

static int
read_smap(struct reader *r, enum read_stmt which, int64_t id,
          struct vsdb_smap *smap)
{
    sqlite3_stmt *stmt = reader_start(r, which, id);
    int rc;
    while ((rc = reader_step(r, stmt)) > 0) {
        const char *k = (const char *) sqlite3_column_text(stmt, 0);
        const char *v = (const char *) sqlite3_column_text(stmt, 1);
        vsdb_smap_add(smap, k ? k : "", v ? v : "");
    }
    return -rc;
}

static enum vsdb_vlan_mode
parse_vlan_mode(const char *s)
{
    if (!s) {
        return VSDB_VLAN_MODE_DEFAULT;
    } else if (!strcmp(s, "access")) {
        return VSDB_VLAN_MODE_ACCESS;
    } else if (!strcmp(s, "trunk")) {
        return VSDB_VLAN_MODE_TRUNK;
    } else if (!strcmp(s, "native-tagged")) {
        return VSDB_VLAN_MODE_NATIVE_TAGGED;
    } else if (!strcmp(s, "native-untagged")) {
        return VSDB_VLAN_MODE_NATIVE_UNTAGGED;
    }
    return VSDB_VLAN_MODE_DEFAULT;
}

/* Parses "10,20,30" (vsctl validated it; anything odd is skipped). */
static void
parse_trunks(const char *s, uint16_t **trunks, size_t *n)
{
    *trunks = NULL;
    *n = 0;
    if (!s) {
        return;
    }
    char *copy = xstrdup(s);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save)) {
        unsigned long long v;
        if (vsw_parse_uint(tok, 0, 4095, &v)) {
            *trunks = xrealloc(*trunks, (*n + 1) * sizeof **trunks);
            (*trunks)[(*n)++] = v;
        }
    }
    free(copy);
}

static int
read_ifaces(struct reader *r, struct vsdb_port *port)
{
    sqlite3_stmt *stmt = reader_start(r, RS_IFACES, port->id);
    int rc;
    while ((rc = reader_step(r, stmt)) > 0) {
        port->ifaces = xrealloc(port->ifaces,
                                (port->n_ifaces + 1) * sizeof *port->ifaces);
        struct vsdb_interface *iface = &port->ifaces[port->n_ifaces++];
        memset(iface, 0, sizeof *iface);
        iface->id = sqlite3_column_int64(stmt, 0);
        iface->name = column_strdup(stmt, 1);
        iface->type = column_strdup(stmt, 2);
        if (!iface->type) {
            iface->type = xstrdup("system");
        }
        iface->ofport = column_int_or(stmt, 3, -1);
        iface->mac = column_strdup(stmt, 4);
        iface->mtu = column_int_or(stmt, 5, -1);
        iface->admin_state = column_strdup(stmt, 6);
        iface->link_state = column_strdup(stmt, 7);
        iface->error = column_strdup(stmt, 8);
    }
    if (rc < 0) {
        return -rc;
    }
    /* The maps use other statements, so read them after the loop. */
    for (size_t i = 0; i < port->n_ifaces; i++) {
        struct vsdb_interface *iface = &port->ifaces[i];
        int error = read_smap(r, RS_IFACE_OPTIONS, iface->id, &iface->options);
        if (!error) {
            error = read_smap(r, RS_IFACE_OC, iface->id, &iface->other_config);
        }
        if (!error) {
            error = read_smap(r, RS_IFACE_STATUS, iface->id, &iface->status);
        }
        if (!error) {
            error = read_smap(r, RS_IFACE_STATS, iface->id,
                              &iface->statistics);
        }
        if (error) {
            return error;
        }
    }
    return 0;
}

static int
read_ports(struct reader *r, struct vsdb_bridge *br)
{
    sqlite3_stmt *stmt = reader_start(r, RS_PORTS, br->id);
    int rc;
    while ((rc = reader_step(r, stmt)) > 0) {
        br->ports = xrealloc(br->ports, (br->n_ports + 1) * sizeof *br->ports);
        struct vsdb_port *port = &br->ports[br->n_ports++];
        memset(port, 0, sizeof *port);
        port->id = sqlite3_column_int64(stmt, 0);
        port->name = column_strdup(stmt, 1);
        port->tag = (int) column_int_or(stmt, 2, -1);
        parse_trunks((const char *) sqlite3_column_text(stmt, 3),
                     &port->trunks, &port->n_trunks);
        port->vlan_mode = parse_vlan_mode(
            (const char *) sqlite3_column_text(stmt, 4));
    }
    if (rc < 0) {
        return -rc;
    }
    for (size_t i = 0; i < br->n_ports; i++) {
        struct vsdb_port *port = &br->ports[i];
        int error = read_smap(r, RS_PORT_OC, port->id, &port->other_config);
        if (!error) {
            error = read_ifaces(r, port);
        }
        if (error) {
            return error;
        }
    }
    return 0;
}

static int
read_rules(struct reader *r, struct vsdb_bridge *br)
{
    sqlite3_stmt *stmt = reader_start(r, RS_RULES, br->id);
    int rc;
    while ((rc = reader_step(r, stmt)) > 0) {
        br->rules = xrealloc(br->rules, (br->n_rules + 1) * sizeof *br->rules);
        struct vsdb_rule *rule = &br->rules[br->n_rules++];
        memset(rule, 0, sizeof *rule);
        rule->id = sqlite3_column_int64(stmt, 0);
        rule->table_id = sqlite3_column_int(stmt, 1);
        rule->priority = sqlite3_column_int(stmt, 2);
        rule->match = column_strdup(stmt, 3);
        if (!rule->match) {
            rule->match = xstrdup("");
        }
        rule->actions = column_strdup(stmt, 4);
        if (!rule->actions) {
            rule->actions = xstrdup("drop");
        }
        rule->cookie = (uint64_t) sqlite3_column_int64(stmt, 5);
        rule->idle_timeout = sqlite3_column_int(stmt, 6);
        rule->hard_timeout = sqlite3_column_int(stmt, 7);
        rule->n_packets = (uint64_t) sqlite3_column_int64(stmt, 8);
        rule->n_bytes = (uint64_t) sqlite3_column_int64(stmt, 9);
        rule->created_ms = sqlite3_column_int64(stmt, 10);
    }
    return -rc;
}

static int
read_all(struct reader *r, struct vsdb_config *cfg)
{
    sqlite3_stmt *stmt = reader_start(r, RS_GLOBAL, -1);
    int rc = reader_step(r, stmt);
    if (rc < 0) {
        return -rc;
    } else if (rc == 0) {
        return vsw_error_set(r->err, EPROTO, "database %s has no global row",
                             r->db->path);
    }
    cfg->next_cfg = sqlite3_column_int64(stmt, 0);
    cfg->cur_cfg = sqlite3_column_int64(stmt, 1);
    int error = read_smap(r, RS_GLOBAL_OC, -1, &cfg->other_config);
    if (error) {
        return error;
    }

    stmt = reader_start(r, RS_BRIDGES, -1);
    while ((rc = reader_step(r, stmt)) > 0) {
        cfg->bridges = xrealloc(cfg->bridges,
                                (cfg->n_bridges + 1) * sizeof *cfg->bridges);
        struct vsdb_bridge *br = &cfg->bridges[cfg->n_bridges++];
        memset(br, 0, sizeof *br);
        br->id = sqlite3_column_int64(stmt, 0);
        br->name = column_strdup(stmt, 1);
        br->datapath_type = column_strdup(stmt, 2);
        if (!br->datapath_type) {
            br->datapath_type = xstrdup("xdp");
        }
        br->fail_mode = column_strdup(stmt, 3);
    }
    if (rc < 0) {
        return -rc;
    }
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        struct vsdb_bridge *br = &cfg->bridges[i];
        error = read_smap(r, RS_BRIDGE_OC, br->id, &br->other_config);
        if (!error) {
            error = read_ports(r, br);
        }
        if (!error) {
            error = read_rules(r, br);
        }
        if (error) {
            return error;
        }
    }
    return 0;
}

int
vsdb_read_config(struct vsdb *db, struct vsdb_config **cfgp,
                 struct vsw_error *err)
{
    *cfgp = NULL;
    bool own_txn = !db->in_txn;
    int error = 0;
    if (own_txn) {
        error = vsdb_begin(db, VSDB_TXN_READ, err);
        if (error) {
            return error;
        }
    }

    struct reader r = { .db = db, .err = err };
    for (int i = 0; i < N_READ_STMTS && !error; i++) {
        r.stmts[i] = prepare(db, read_sql[i], err, &error);
    }
    struct vsdb_config *cfg = xzalloc(sizeof *cfg);
    if (!error) {
        error = read_all(&r, cfg);
    }
    for (int i = 0; i < N_READ_STMTS; i++) {
        sqlite3_finalize(r.stmts[i]);
    }
    if (own_txn) {
        vsdb_rollback(db);      /* a read transaction has nothing to keep */
    }
    if (error) {
        vsdb_config_free(cfg);
        return error;
    }
    *cfgp = cfg;
    return 0;
}

void
vsdb_config_free(struct vsdb_config *cfg)
{
    if (!cfg) {
        return;
    }
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        struct vsdb_bridge *br = &cfg->bridges[i];
        for (size_t j = 0; j < br->n_ports; j++) {
            struct vsdb_port *port = &br->ports[j];
            for (size_t k = 0; k < port->n_ifaces; k++) {
                struct vsdb_interface *iface = &port->ifaces[k];
                free(iface->name);
                free(iface->type);
                vsdb_smap_destroy(&iface->options);
                vsdb_smap_destroy(&iface->other_config);
                free(iface->mac);
                free(iface->admin_state);
                free(iface->link_state);
                free(iface->error);
                vsdb_smap_destroy(&iface->status);
                vsdb_smap_destroy(&iface->statistics);
            }
            free(port->ifaces);
            free(port->name);
            free(port->trunks);
            vsdb_smap_destroy(&port->other_config);
        }
        free(br->ports);
        for (size_t j = 0; j < br->n_rules; j++) {
            free(br->rules[j].match);
            free(br->rules[j].actions);
        }
        free(br->rules);
        free(br->name);
        free(br->datapath_type);
        free(br->fail_mode);
        vsdb_smap_destroy(&br->other_config);
    }
    free(cfg->bridges);
    vsdb_smap_destroy(&cfg->other_config);
    free(cfg);
}

const struct vsdb_bridge *
vsdb_config_find_bridge(const struct vsdb_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        if (!strcmp(cfg->bridges[i].name, name)) {
            return &cfg->bridges[i];
        }
    }
    return NULL;
}

const struct vsdb_port *
vsdb_bridge_find_port(const struct vsdb_bridge *br, const char *name)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (!strcmp(br->ports[i].name, name)) {
            return &br->ports[i];
        }
    }
    return NULL;
}

char *
vsdb_rule_text(const struct vsdb_rule *rule)
{
    struct ds ds = DS_EMPTY;
    ds_put_format(&ds, "table=%u,priority=%u", rule->table_id,
                  rule->priority);
    if (rule->cookie) {
        ds_put_format(&ds, ",cookie=0x%"PRIx64, rule->cookie);
    }
    if (rule->idle_timeout) {
        ds_put_format(&ds, ",idle_timeout=%u", rule->idle_timeout);
    }
    if (rule->hard_timeout) {
        ds_put_format(&ds, ",hard_timeout=%u", rule->hard_timeout);
    }
    if (rule->match && rule->match[0]) {
        ds_put_format(&ds, ",%s", rule->match);
    }
    ds_put_format(&ds, ",actions=%s",
                  rule->actions && rule->actions[0] ? rule->actions : "drop");
    return ds_steal(&ds);
}

int
vsdb_get_cfg(struct vsdb *db, int64_t *next_cfg, int64_t *cur_cfg,
             struct vsw_error *err)
{
    int error = 0;
    sqlite3_stmt *stmt = prepare(db, "SELECT next_cfg, cur_cfg FROM global "
                                 "WHERE id = 1", err, &error);
    if (!stmt) {
        return error;
    }
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        if (next_cfg) {
            *next_cfg = sqlite3_column_int64(stmt, 0);
        }
        if (cur_cfg) {
            *cur_cfg = sqlite3_column_int64(stmt, 1);
        }
    } else if (rc == SQLITE_DONE) {
        error = vsw_error_set(err, EPROTO, "database %s has no global row",
                              db->path);
    } else {
        error = db_error(db, err, rc, "reading global");
    }
    sqlite3_finalize(stmt);
    return error;
}

int
vsdb_poll_changed(struct vsdb *db, bool *changed, struct vsw_error *err)
{
    int64_t v;
    int error = query_int(db, "PRAGMA data_version", &v, err);
    if (error) {
        return error;
    }
    *changed = !db->have_data_version || v != db->data_version;
    db->have_data_version = true;
    db->data_version = v;
    return 0;
}

/* ------------------------------------------------------------------------
 * Writing.
 * ------------------------------------------------------------------------ */

/* Runs one write statement with up to four bound values given by the
 * caller through BIND. */
static int
step_done(struct vsdb *db, sqlite3_stmt *stmt, struct vsw_error *err,
          const char *what)
{
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        return db_error(db, err, rc, what);
    }
    return 0;
}

static int
find_iface_id(struct vsdb *db, const char *iface, int64_t *id,
              struct vsw_error *err)
{
    int error = 0;
    sqlite3_stmt *stmt = prepare(db, "SELECT id FROM interface "
                                 "WHERE name = ?1", err, &error);
    if (!stmt) {
        return error;
    }
    sqlite3_bind_text(stmt, 1, iface, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(stmt, 0);
    } else if (rc == SQLITE_DONE) {
        error = vsw_error_set(err, ENOENT, "no interface named %s", iface);
    } else {
        error = db_error(db, err, rc, "looking up an interface");
    }
    sqlite3_finalize(stmt);
    return error;
}

/* Replaces the map in TABLE (interface_status or interface_statistics) of
 * interface ID, unless it already holds exactly the same pairs. */
static int
replace_iface_map(struct vsdb *db, const char *table, int64_t id,
                  const struct vsdb_smap *map, struct vsw_error *err)
{
    int error = 0;
    char *sql = xasprintf("SELECT key, value FROM %s WHERE interface_id = ?1 "
                          "ORDER BY key", table);
    sqlite3_stmt *stmt = prepare(db, sql, err, &error);
    free(sql);
    if (!stmt) {
        return error;
    }
    sqlite3_bind_int64(stmt, 1, id);
    struct vsdb_smap old = VSDB_SMAP_INITIALIZER;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *k = (const char *) sqlite3_column_text(stmt, 0);
        const char *v = (const char *) sqlite3_column_text(stmt, 1);
        vsdb_smap_add(&old, k ? k : "", v ? v : "");
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        vsdb_smap_destroy(&old);
        return db_error(db, err, rc, "reading interface status");
    }
    bool same = vsdb_smap_equal(&old, map);
    vsdb_smap_destroy(&old);
    if (same) {
        return 0;
    }

    sql = xasprintf("DELETE FROM %s WHERE interface_id = ?1", table);
    stmt = prepare(db, sql, err, &error);
    free(sql);
    if (!stmt) {
        return error;
    }
    sqlite3_bind_int64(stmt, 1, id);
    error = step_done(db, stmt, err, "writing interface status");
    sqlite3_finalize(stmt);
    if (error || !map->n) {
        return error;
    }

    sql = xasprintf("INSERT INTO %s (interface_id, key, value) "
                    "VALUES (?1, ?2, ?3)", table);
    stmt = prepare(db, sql, err, &error);
    free(sql);
    if (!stmt) {
        return error;
    }
    bool numeric = !strcmp(table, "interface_statistics");
    for (size_t i = 0; i < map->n && !error; i++) {
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_text(stmt, 2, map->nodes[i].key, -1, SQLITE_TRANSIENT);
        unsigned long long v;
        if (numeric && vsw_parse_uint(map->nodes[i].value, 0, INT64_MAX, &v)) {
            sqlite3_bind_int64(stmt, 3, (int64_t) v);
        } else {
            sqlite3_bind_text(stmt, 3, map->nodes[i].value, -1,
                              SQLITE_TRANSIENT);
        }
        error = step_done(db, stmt, err, "writing interface status");
    }
    sqlite3_finalize(stmt);
    return error;
}

void
vsdb_iface_status_init(struct vsdb_iface_status *st)
{
    memset(st, 0, sizeof *st);
    st->ofport = -1;
    st->mtu = -1;
}

static int
set_iface_status__(struct vsdb *db, const char *iface,
                   const struct vsdb_iface_status *st, struct vsw_error *err)
{
    int64_t id;
    int error = find_iface_id(db, iface, &id, err);
    if (error) {
        return error;
    }
    sqlite3_stmt *stmt = prepare(
        db, "UPDATE interface SET ofport = ?2, mac = ?3, mtu = ?4, "
        "admin_state = ?5, link_state = ?6, error = ?7 WHERE id = ?1 AND "
        "(ofport IS NOT ?2 OR mac IS NOT ?3 OR mtu IS NOT ?4 OR "
        "admin_state IS NOT ?5 OR link_state IS NOT ?6 OR error IS NOT ?7)",
        err, &error);
    if (!stmt) {
        return error;
    }
    sqlite3_bind_int64(stmt, 1, id);
    /* -1 is stored as -1, as Open vSwitch shows an interface that failed;
     * NULL stays for rows vswitchd has not reported on yet. */
    sqlite3_bind_int64(stmt, 2, st->ofport < 0 ? -1 : st->ofport);
    bind_text_or_null(stmt, 3, st->mac);
    bind_int_or_null(stmt, 4, st->mtu);
    bind_text_or_null(stmt, 5, st->admin_state);
    bind_text_or_null(stmt, 6, st->link_state);
    bind_text_or_null(stmt, 7, st->error);
    error = step_done(db, stmt, err, "writing interface status");
    sqlite3_finalize(stmt);
    if (!error) {
        static const struct vsdb_smap empty = VSDB_SMAP_INITIALIZER;
        error = replace_iface_map(db, "interface_status", id,
                                  st->status ? st->status : &empty, err);
    }
    return error;
}

int
vsdb_set_iface_status(struct vsdb *db, const char *iface,
                      const struct vsdb_iface_status *st,
                      struct vsw_error *err)
{
    bool started;
    int error = auto_begin(db, &started, err);
    if (error) {
        return error;
    }
    error = set_iface_status__(db, iface, st, err);
    return auto_end(db, started, error, err);
}

int
vsdb_set_iface_statistics(struct vsdb *db, const char *iface,
                          const struct vsdb_stat *stats, size_t n,
                          struct vsw_error *err)
{
    bool started;
    int error = auto_begin(db, &started, err);
    if (error) {
        return error;
    }
    int64_t id;
    error = find_iface_id(db, iface, &id, err);
    if (!error) {
        struct vsdb_smap map = VSDB_SMAP_INITIALIZER;
        for (size_t i = 0; i < n; i++) {
            vsdb_smap_add_format(&map, stats[i].key, "%"PRIu64,
                                 stats[i].value);
        }
        error = replace_iface_map(db, "interface_statistics", id, &map, err);
        vsdb_smap_destroy(&map);
    }
    return auto_end(db, started, error, err);
}

int
vsdb_set_rule_stats(struct vsdb *db, int64_t rule_id, uint64_t n_packets,
                    uint64_t n_bytes, struct vsw_error *err)
{
    int error = 0;
    sqlite3_stmt *stmt = prepare(db, "UPDATE rule SET n_packets = ?2, "
                                 "n_bytes = ?3 WHERE id = ?1", err, &error);
    if (!stmt) {
        return error;
    }
    sqlite3_bind_int64(stmt, 1, rule_id);
    sqlite3_bind_int64(stmt, 2, (int64_t) n_packets);
    sqlite3_bind_int64(stmt, 3, (int64_t) n_bytes);
    error = step_done(db, stmt, err, "writing rule statistics");
    if (!error && !sqlite3_changes(db->db)) {
        error = vsw_error_set(err, ENOENT, "no rule with id %"PRId64,
                              rule_id);
    }
    sqlite3_finalize(stmt);
    return error;
}

int
vsdb_set_cur_cfg(struct vsdb *db, int64_t cur_cfg, struct vsw_error *err)
{
    int error = 0;
    sqlite3_stmt *stmt = prepare(db, "UPDATE global SET cur_cfg = ?1 "
                                 "WHERE id = 1", err, &error);
    if (!stmt) {
        return error;
    }
    sqlite3_bind_int64(stmt, 1, cur_cfg);
    error = step_done(db, stmt, err, "writing cur_cfg");
    sqlite3_finalize(stmt);
    return error;
}

int
vsdb_bump_next_cfg(struct vsdb *db, int64_t *next_cfg, struct vsw_error *err)
{
    bool started;
    int error = auto_begin(db, &started, err);
    if (error) {
        return error;
    }
    error = exec_retry(db, "UPDATE global SET next_cfg = next_cfg + 1 "
                       "WHERE id = 1", err, "writing next_cfg");
    int64_t v = 0;
    if (!error) {
        error = query_int(db, "SELECT next_cfg FROM global WHERE id = 1", &v,
                          err);
    }
    error = auto_end(db, started, error, err);
    if (!error && next_cfg) {
        *next_cfg = v;
    }
    return error;
}
