/* vsctl database commands: bridges and ports, `show`, and the generic
 * table commands (list, find, get, set, add, remove, clear) over the
 * tables bridge, port, interface and global.
 *
 * The generic commands are driven by a description of each table's columns
 * (vtables[] below): how a column is stored (a column of the row, a
 * key/value child table, or derived from other tables), who may write it
 * (vsctl, or only vswitchd), and what values it takes.  Every write is
 * validated here, at write time, so that vswitchd never has to guess what
 * an operator meant. */
#include <config.h>
#include "cli/vsctl.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/rule.h"
#include "utilities/util.h"

/* ------------------------------------------------------------------------
 * The table model.
 * ------------------------------------------------------------------------ */

enum vcol_kind {
    VC_STRING,          /* TEXT column */
    VC_INT,             /* INTEGER column */
    VC_MAP,             /* key/value child table */
    VC_TRUNKS,          /* TEXT "10,20" shown as a list of integers */
    VC_CHILDREN,        /* names of rows of another table (derived) */
};

#define VCF_STATUS   0x01   /* written by vswitchd only */
#define VCF_NAME     0x02   /* the row's identity: fixed at creation */
#define VCF_DERIVED  0x04   /* computed from other tables */
#define VCF_NULLABLE 0x08   /* may be empty ([]) */
#define VCF_INT_VALUES 0x10 /* VC_MAP whose values are integers */

enum vkey_type {
    VK_UINT,            /* decimal integer in [min, max] */
    VK_HEX,             /* hexadecimal mask, 0x optional: pmd-cpu-mask */
    VK_STRING,          /* any non-empty text */
    VK_BOOL,            /* true / false */
    VK_SOCKET_MEM,      /* comma-separated MB per NUMA socket: "1024,0" */
    VK_RXQ_AFFINITY,    /* "QUEUE:CORE,..." */
};

struct vkey {
    const char *key;
    enum vkey_type type;
    unsigned long long min, max;
};

struct vcol {
    const char *name;
    enum vcol_kind kind;
    const char *sql;            /* column / child table / SELECT name ... ?1 */
    unsigned int flags;
    long long min, max;         /* VC_INT, VC_TRUNKS */
    const char *const *choices; /* VC_STRING: allowed values, NULL-ended */
    const char *dflt;           /* `clear` restores this (non-nullable) */
    const struct vkey *keys;    /* VC_MAP: known keys, NULL = any key */
    const char *ro_hint;        /* read-only columns: what to do instead */
};

struct vtable {
    const char *name;           /* as the operator writes it */
    const char *sql;            /* SQL table */
    const char *owner_col;      /* owner column of its map tables (NULL for
                                 * the single-row global table) */
    const char *what;           /* "bridge", "port", ... for messages */
    const struct vcol *cols;    /* alphabetical, NULL-name terminated */
};

#define MAX_U32 4294967295ULL

static const struct vkey global_keys[] = {
    { "dpdk-extra", VK_STRING, 0, 0 },
    { "dpdk-lcore-mask", VK_HEX, 1, UINT64_MAX },
    { "dpdk-socket-mem", VK_SOCKET_MEM, 0, 0 },
    { "emc-insert-inv-prob", VK_UINT, 0, MAX_U32 },
    { "flow-limit", VK_UINT, 1, MAX_U32 },
    { "mac-aging-time", VK_UINT, 1, 86400 * 365 },
    { "mac-table-size", VK_UINT, 1, MAX_U32 },
    { "max-idle", VK_UINT, 100, MAX_U32 },
    { "pmd-cpu-mask", VK_HEX, 1, UINT64_MAX },
    { "stats-update-interval", VK_UINT, 0, MAX_U32 },
    { "upcall-rate", VK_UINT, 0, MAX_U32 },
    { NULL, 0, 0, 0 },
};

static const struct vkey bridge_keys[] = {
    { "flow-limit", VK_UINT, 1, MAX_U32 },
    { "mac-aging-time", VK_UINT, 1, 86400 * 365 },
    { "mac-table-size", VK_UINT, 1, MAX_U32 },
    { "max-idle", VK_UINT, 100, MAX_U32 },
    { "upcall-rate", VK_UINT, 0, MAX_U32 },
    { NULL, 0, 0, 0 },
};

static const struct vkey port_keys[] = {
    { "priority-tags", VK_BOOL, 0, 0 },
    { NULL, 0, 0, 0 },
};

static const struct vkey iface_keys[] = {
    { "pmd-rxq-affinity", VK_RXQ_AFFINITY, 0, 0 },
    { NULL, 0, 0, 0 },
};

static const char *const datapath_types[] = { "xdp", "dpdk", "dummy", NULL };
static const char *const fail_modes[] = { "standalone", "secure", NULL };
static const char *const vlan_modes[] = {
    "access", "trunk", "native-tagged", "native-untagged", NULL
};
static const char *const iface_types[] = {
    "system", "internal", "dpdk", "dpdkvhostuser", "dpdkvhostuserclient",
    "vf", NULL
};

static const struct vcol global_cols[] = {
    { "bridges", VC_CHILDREN, "SELECT name FROM bridge ORDER BY name",
      VCF_DERIVED, 0, 0, NULL, NULL, NULL, "use add-br and del-br" },
    { "cur_cfg", VC_INT, "cur_cfg", VCF_STATUS, 0, 0, NULL, NULL, NULL,
      "written by vswitchd" },
    { "next_cfg", VC_INT, "next_cfg", VCF_STATUS, 0, 0, NULL, NULL, NULL,
      "vsctl increments it with every change" },
    { "other_config", VC_MAP, "global_other_config", 0, 0, 0, NULL, NULL,
      global_keys, NULL },
    { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL, NULL },
};

static const struct vcol bridge_cols[] = {
    { "datapath_type", VC_STRING, "datapath_type", 0, 0, 0, datapath_types,
      "xdp", NULL, NULL },
    { "fail_mode", VC_STRING, "fail_mode", VCF_NULLABLE, 0, 0, fail_modes,
      NULL, NULL, NULL },
    { "name", VC_STRING, "name", VCF_NAME, 0, 0, NULL, NULL, NULL,
      "delete and re-create the bridge" },
    { "other_config", VC_MAP, "bridge_other_config", 0, 0, 0, NULL, NULL,
      bridge_keys, NULL },
    { "ports", VC_CHILDREN, "SELECT name FROM port WHERE bridge_id = ?1 "
      "ORDER BY name", VCF_DERIVED, 0, 0, NULL, NULL, NULL,
      "use add-port and del-port" },
    { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL, NULL },
};

static const struct vcol port_cols[] = {
    { "interfaces", VC_CHILDREN, "SELECT name FROM interface WHERE "
      "port_id = ?1 ORDER BY name", VCF_DERIVED, 0, 0, NULL, NULL, NULL,
      "add-port creates the port's interface" },
    { "name", VC_STRING, "name", VCF_NAME, 0, 0, NULL, NULL, NULL,
      "delete and re-create the port" },
    { "other_config", VC_MAP, "port_other_config", 0, 0, 0, NULL, NULL,
      port_keys, NULL },
    { "tag", VC_INT, "tag", VCF_NULLABLE, 0, 4095, NULL, NULL, NULL, NULL },
    { "trunks", VC_TRUNKS, "trunks", VCF_NULLABLE, 0, 4095, NULL, NULL, NULL,
      NULL },
    { "vlan_mode", VC_STRING, "vlan_mode", VCF_NULLABLE, 0, 0, vlan_modes,
      NULL, NULL, NULL },
    { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL, NULL },
};

static const struct vcol iface_cols[] = {
    { "admin_state", VC_STRING, "admin_state", VCF_STATUS | VCF_NULLABLE,
      0, 0, NULL, NULL, NULL, "written by vswitchd" },
    { "error", VC_STRING, "error", VCF_STATUS | VCF_NULLABLE, 0, 0, NULL,
      NULL, NULL, "written by vswitchd" },
    { "link_state", VC_STRING, "link_state", VCF_STATUS | VCF_NULLABLE,
      0, 0, NULL, NULL, NULL, "written by vswitchd" },
    { "mac", VC_STRING, "mac", VCF_STATUS | VCF_NULLABLE, 0, 0, NULL, NULL,
      NULL, "written by vswitchd" },
    { "mtu", VC_INT, "mtu", VCF_STATUS | VCF_NULLABLE, 0, 0, NULL, NULL,
      NULL, "written by vswitchd" },
    { "name", VC_STRING, "name", VCF_NAME, 0, 0, NULL, NULL, NULL,
      "delete and re-create the port" },
    { "ofport", VC_INT, "ofport", VCF_STATUS | VCF_NULLABLE, 0, 0, NULL,
      NULL, NULL, "written by vswitchd" },
    { "options", VC_MAP, "interface_options", 0, 0, 0, NULL, NULL, NULL,
      NULL },
    { "other_config", VC_MAP, "interface_other_config", 0, 0, 0, NULL, NULL,
      iface_keys, NULL },
    { "statistics", VC_MAP, "interface_statistics",
      VCF_STATUS | VCF_INT_VALUES, 0, 0, NULL, NULL, NULL,
      "written by vswitchd" },
    { "status", VC_MAP, "interface_status", VCF_STATUS, 0, 0, NULL, NULL,
      NULL, "written by vswitchd" },
    { "type", VC_STRING, "type", 0, 0, 0, iface_types, "system", NULL,
      NULL },
    { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL, NULL },
};

static const struct vtable vtables[] = {
    { "bridge", "bridge", "bridge_id", "bridge", bridge_cols },
    { "port", "port", "port_id", "port", port_cols },
    { "interface", "interface", "interface_id", "interface", iface_cols },
    { "global", "global", NULL, "global", global_cols },
};

static const struct vtable *
find_table(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(vtables); i++) {
        if (!strcasecmp(name, vtables[i].name)) {
            return &vtables[i];
        }
    }
    /* ovs-vsctl habits. */
    if (!strcasecmp(name, "open_vswitch") || !strcasecmp(name, "o")) {
        return &vtables[3];
    }
    if (!strcasecmp(name, "br")) {
        return &vtables[0];
    }
    return NULL;
}

static int
get_table(struct vsctl_ctx *ctx, const char *name, const struct vtable **t)
{
    *t = find_table(name);
    if (!*t) {
        return vsctl_error(ctx, "unknown table '%s' (tables: bridge, port, "
                           "interface, global)", name);
    }
    return 0;
}

static const struct vcol *
find_col(const struct vtable *t, const char *name)
{
    for (const struct vcol *c = t->cols; c->name; c++) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

static int
get_col(struct vsctl_ctx *ctx, const struct vtable *t, const char *name,
        const struct vcol **c)
{
    *c = find_col(t, name);
    if (!*c) {
        return vsctl_error(ctx, "unknown column '%s' in table %s", name,
                           t->name);
    }
    return 0;
}

static bool
is_global(const struct vtable *t)
{
    return !t->owner_col;
}

/* Resolves RECORD of T to a row id.  ENOENT (with the error set) when
 * absent. */
static int
find_record(struct vsctl_ctx *ctx, const struct vtable *t, const char *record,
            int64_t *id)
{
    if (is_global(t)) {
        if (strcmp(record, ".")) {
            return vsctl_error_code(ctx, ENOENT, "table global has one "
                                    "record, named '.' (not '%s')", record);
        }
        *id = 1;
        return 0;
    }
    int error = vsctl_find_by_name(ctx, t->sql, record, id);
    if (error == ENOENT) {
        return vsctl_error_code(ctx, ENOENT, "no %s named %s", t->what,
                                record);
    }
    return error;
}

static int
check_writable(struct vsctl_ctx *ctx, const struct vtable *t,
               const struct vcol *c)
{
    if (c->flags & VCF_STATUS) {
        return vsctl_error(ctx, "column '%s' in table %s is read-only (%s)",
                           c->name, t->name, c->ro_hint);
    } else if (c->flags & VCF_NAME) {
        return vsctl_error(ctx, "column '%s' in table %s cannot be changed "
                           "(%s)", c->name, t->name, c->ro_hint);
    } else if (c->flags & VCF_DERIVED) {
        return vsctl_error(ctx, "column '%s' in table %s is read-only (%s)",
                           c->name, t->name, c->ro_hint);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Values of columns.
 * ------------------------------------------------------------------------ */

enum vval_type { VV_NULL, VV_INT, VV_STR, VV_MAP, VV_LIST };

struct vval {
    enum vval_type type;
    long long i;
    char *s;
    struct vsdb_smap map;
    bool int_values;            /* VV_MAP */
    char **items;               /* VV_LIST */
    size_t n;
    bool int_items;             /* VV_LIST: numbers */
};

static void
vval_init(struct vval *v)
{
    memset(v, 0, sizeof *v);
    vsdb_smap_init(&v->map);
}

static void
vval_destroy(struct vval *v)
{
    free(v->s);
    vsdb_smap_destroy(&v->map);
    vsctl_free_list(v->items, v->n);
    vval_init(v);
}

static void
list_add(char ***items, size_t *n, const char *s)
{
    *items = xrealloc(*items, (*n + 1) * sizeof **items);
    (*items)[(*n)++] = xstrdup(s);
}

static int
read_map(struct vsctl_ctx *ctx, const struct vtable *t, const struct vcol *c,
         int64_t id, struct vsdb_smap *map)
{
    char *sql = is_global(t)
        ? xasprintf("SELECT key, value FROM %s ORDER BY key", c->sql)
        : xasprintf("SELECT key, value FROM %s WHERE %s = ?1 ORDER BY key",
                    c->sql, t->owner_col);
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    free(sql);
    if (!stmt) {
        return EIO;
    }
    if (!is_global(t)) {
        sqlite3_bind_int64(stmt, 1, id);
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        vsdb_smap_add(map, (const char *) sqlite3_column_text(stmt, 0),
                      (const char *) sqlite3_column_text(stmt, 1));
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : vsctl_sql_error(ctx, "reading a map");
}

/* Parses the stored trunks text into sorted, unique numbers. */
static int
cmp_ll(const void *a_, const void *b_)
{
    long long a = *(const long long *) a_, b = *(const long long *) b_;
    return a < b ? -1 : a > b;
}

static void
trunks_to_list(const char *text, char ***items, size_t *n)
{
    long long vals[4096];
    size_t nv = 0;
    char *copy = xstrdup(text ? text : "");
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", ", &save); tok && nv < 4096;
         tok = strtok_r(NULL, ", ", &save)) {
        unsigned long long v;
        if (vsw_parse_uint(tok, 0, 4095, &v)) {
            vals[nv++] = v;
        }
    }
    free(copy);
    qsort(vals, nv, sizeof vals[0], cmp_ll);
    for (size_t i = 0; i < nv; i++) {
        if (!i || vals[i] != vals[i - 1]) {
            char buf[16];
            snprintf(buf, sizeof buf, "%lld", vals[i]);
            list_add(items, n, buf);
        }
    }
}

static int
read_vval(struct vsctl_ctx *ctx, const struct vtable *t, const struct vcol *c,
          int64_t id, struct vval *v)
{
    vval_init(v);
    if (c->kind == VC_MAP) {
        v->type = VV_MAP;
        v->int_values = (c->flags & VCF_INT_VALUES) != 0;
        return read_map(ctx, t, c, id, &v->map);
    }
    if (c->kind == VC_CHILDREN) {
        v->type = VV_LIST;
        sqlite3_stmt *stmt = vsctl_prepare(ctx, c->sql);
        if (!stmt) {
            return EIO;
        }
        if (sqlite3_bind_parameter_count(stmt)) {
            sqlite3_bind_int64(stmt, 1, id);
        }
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            list_add(&v->items, &v->n,
                     (const char *) sqlite3_column_text(stmt, 0));
        }
        sqlite3_finalize(stmt);
        return rc == SQLITE_DONE ? 0 : vsctl_sql_error(ctx, "reading a list");
    }

    char *sql = xasprintf("SELECT %s FROM %s WHERE id = ?1", c->sql, t->sql);
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    free(sql);
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    int error = 0;
    if (rc == SQLITE_ROW) {
        bool null = sqlite3_column_type(stmt, 0) == SQLITE_NULL;
        if (c->kind == VC_TRUNKS) {
            v->type = VV_LIST;
            v->int_items = true;
            trunks_to_list((const char *) sqlite3_column_text(stmt, 0),
                           &v->items, &v->n);
        } else if (null) {
            v->type = VV_NULL;
        } else if (c->kind == VC_INT) {
            v->type = VV_INT;
            v->i = sqlite3_column_int64(stmt, 0);
        } else {
            v->type = VV_STR;
            v->s = xstrdup((const char *) sqlite3_column_text(stmt, 0));
        }
    } else if (rc == SQLITE_DONE) {
        error = vsctl_error_code(ctx, ENOENT, "%s row %"PRId64" vanished",
                                 t->name, id);
    } else {
        error = vsctl_sql_error(ctx, "reading a column");
    }
    sqlite3_finalize(stmt);
    return error;
}

static void
put_vval_text(struct ds *ds, const struct vval *v)
{
    switch (v->type) {
    case VV_NULL:
        ds_put_cstr(ds, "[]");
        break;
    case VV_INT:
        ds_put_format(ds, "%lld", v->i);
        break;
    case VV_STR:
        vsctl_put_string(ds, v->s);
        break;
    case VV_MAP:
        vsctl_put_text_map(ds, &v->map, v->int_values);
        break;
    case VV_LIST:
        ds_put_char(ds, '[');
        for (size_t i = 0; i < v->n; i++) {
            if (i) {
                ds_put_cstr(ds, ", ");
            }
            if (v->int_items) {
                ds_put_cstr(ds, v->items[i]);
            } else {
                vsctl_put_string(ds, v->items[i]);
            }
        }
        ds_put_char(ds, ']');
        break;
    }
}

/* ovs-vsctl's --bare cell format: no quotes, no brackets; list elements
 * and KEY=VALUE pairs separated by spaces; an empty value prints nothing. */
static void
put_vval_bare(struct ds *ds, const struct vval *v)
{
    switch (v->type) {
    case VV_NULL:
        break;
    case VV_INT:
        ds_put_format(ds, "%lld", v->i);
        break;
    case VV_STR:
        ds_put_cstr(ds, v->s);
        break;
    case VV_MAP:
        for (size_t i = 0; i < v->map.n; i++) {
            ds_put_format(ds, "%s%s=%s", i ? " " : "", v->map.nodes[i].key,
                          v->map.nodes[i].value);
        }
        break;
    case VV_LIST:
        for (size_t i = 0; i < v->n; i++) {
            ds_put_format(ds, "%s%s", i ? " " : "", v->items[i]);
        }
        break;
    }
}

static void
put_vval_json(struct ds *ds, const struct vval *v)
{
    switch (v->type) {
    case VV_NULL:
        ds_put_cstr(ds, "null");
        break;
    case VV_INT:
        ds_put_format(ds, "%lld", v->i);
        break;
    case VV_STR:
        ds_put_json_string(ds, v->s);
        break;
    case VV_MAP:
        vsctl_put_json_map(ds, &v->map, v->int_values);
        break;
    case VV_LIST:
        ds_put_char(ds, '[');
        for (size_t i = 0; i < v->n; i++) {
            if (i) {
                ds_put_cstr(ds, ", ");
            }
            if (v->int_items) {
                ds_put_cstr(ds, v->items[i]);
            } else {
                ds_put_json_string(ds, v->items[i]);
            }
        }
        ds_put_char(ds, ']');
        break;
    }
}

/* ------------------------------------------------------------------------
 * Validation.
 * ------------------------------------------------------------------------ */

static void
put_choices(struct ds *ds, const char *const *choices)
{
    for (size_t i = 0; choices[i]; i++) {
        ds_put_format(ds, "%s%s", i ? ", " : "", choices[i]);
    }
}

static int
check_choice(struct vsctl_ctx *ctx, const struct vcol *c, const char *value)
{
    if (!c->choices) {
        return 0;
    }
    for (size_t i = 0; c->choices[i]; i++) {
        if (!strcmp(c->choices[i], value)) {
            return 0;
        }
    }
    struct ds ds = DS_EMPTY;
    put_choices(&ds, c->choices);
    int error = vsctl_error(ctx, "%s: '%s' is not one of %s", c->name, value,
                            ds_cstr(&ds));
    ds_destroy(&ds);
    return error;
}

static bool
parse_hex(const char *s, unsigned long long *v)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    if (!*s || strlen(s) > 16) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!isxdigit((unsigned char) *p)) {
            return false;
        }
    }
    *v = strtoull(s, NULL, 16);
    return true;
}

/* Checks a whole comma-separated list of numbers in [min, max]; SEP2, when
 * nonzero, makes each element "A<SEP2>B" (both numbers). */
static bool
check_number_list(const char *s, char sep2, unsigned long long max)
{
    if (!*s) {
        return false;
    }
    char *copy = xstrdup(s);
    bool ok = true;
    char *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && ok;
         tok = strtok_r(NULL, ",", &save)) {
        n++;
        unsigned long long v;
        if (sep2) {
            char *colon = strchr(tok, sep2);
            if (!colon) {
                ok = false;
                break;
            }
            *colon = '\0';
            ok = vsw_parse_uint(tok, 0, max, &v)
                 && vsw_parse_uint(colon + 1, 0, max, &v);
        } else {
            ok = vsw_parse_uint(tok, 0, max, &v);
        }
    }
    free(copy);
    return ok && n && s[strlen(s) - 1] != ',';
}

static int
check_map_entry(struct vsctl_ctx *ctx, const struct vtable *t,
                const struct vcol *c, const char *key, const char *value)
{
    if (!*key) {
        return vsctl_error(ctx, "%s: empty key", c->name);
    }
    if (!c->keys) {
        return 0;
    }
    const struct vkey *k;
    for (k = c->keys; k->key; k++) {
        if (!strcmp(k->key, key)) {
            break;
        }
    }
    if (!k->key) {
        struct ds ds = DS_EMPTY;
        for (const struct vkey *kk = c->keys; kk->key; kk++) {
            ds_put_format(&ds, "%s%s", kk == c->keys ? "" : ", ", kk->key);
        }
        int error = vsctl_error(ctx, "unknown key '%s' in column %s of table "
                                "%s (known keys: %s)", key, c->name, t->name,
                                ds_cstr(&ds));
        ds_destroy(&ds);
        return error;
    }

    unsigned long long v;
    switch (k->type) {
    case VK_UINT:
        if (!vsw_parse_uint(value, k->min, k->max, &v)) {
            return vsctl_error(ctx, "%s:%s: '%s' is not an integer from %llu "
                               "to %llu", c->name, key, value, k->min, k->max);
        }
        break;
    case VK_HEX:
        if (!parse_hex(value, &v) || v < k->min) {
            return vsctl_error(ctx, "%s:%s: '%s' is not a nonzero hexadecimal "
                               "CPU mask (e.g. 0x6)", c->name, key, value);
        }
        break;
    case VK_STRING:
        if (!*value) {
            return vsctl_error(ctx, "%s:%s: the value is empty (use remove "
                               "to delete the key)", c->name, key);
        }
        break;
    case VK_BOOL:
        if (strcmp(value, "true") && strcmp(value, "false")) {
            return vsctl_error(ctx, "%s:%s: '%s' is not true or false",
                               c->name, key, value);
        }
        break;
    case VK_SOCKET_MEM:
        if (!check_number_list(value, 0, 1024 * 1024)) {
            return vsctl_error(ctx, "%s:%s: '%s' is not a list of megabytes "
                               "per NUMA socket (e.g. 1024,0)", c->name, key,
                               value);
        }
        break;
    case VK_RXQ_AFFINITY:
        if (!check_number_list(value, ':', 1023)) {
            return vsctl_error(ctx, "%s:%s: '%s' is not a list of QUEUE:CORE "
                               "pairs (e.g. 0:1,1:2)", c->name, key, value);
        }
        break;
    }
    return 0;
}

/* Parses TEXT (operator syntax) for a scalar column into *SQLVAL: a new
 * string, or NULL for "empty" ([]).  Validates it. */
static int
parse_scalar(struct vsctl_ctx *ctx, const struct vtable *t,
             const struct vcol *c, const char *text, char **sqlval)
{
    *sqlval = NULL;
    if (!strcmp(text, "[]")) {
        if (!(c->flags & VCF_NULLABLE)) {
            return vsctl_error(ctx, "column '%s' in table %s cannot be empty",
                               c->name, t->name);
        }
        return 0;
    }
    const char *errmsg = NULL;
    char *s = vsctl_parse_string(text, &errmsg);
    if (!s) {
        return vsctl_error(ctx, "%s: %s in '%s'", c->name, errmsg, text);
    }
    int error = 0;
    if (c->kind == VC_INT) {
        unsigned long long v;
        if (!vsw_parse_uint(s, c->min, c->max, &v)) {
            error = vsctl_error(ctx, "%s: '%s' is not an integer from %lld "
                                "to %lld", c->name, s, c->min, c->max);
        }
    } else {
        error = check_choice(ctx, c, s);
    }
    if (error) {
        free(s);
        return error;
    }
    *sqlval = s;
    return 0;
}

/* Parses a trunks list into canonical "10,20" text (NULL when empty). */
static int
parse_trunks(struct vsctl_ctx *ctx, const struct vcol *c, char **items,
             size_t n, char **sqlval)
{
    struct ds ds = DS_EMPTY;
    for (size_t i = 0; i < n; i++) {
        unsigned long long v;
        if (!vsw_parse_uint(items[i], c->min, c->max, &v)) {
            ds_destroy(&ds);
            return vsctl_error(ctx, "%s: '%s' is not a VLAN from %lld to %lld",
                               c->name, items[i], c->min, c->max);
        }
        ds_put_format(&ds, "%s%llu", i ? "," : "", v);
    }
    /* Sort and deduplicate through the same path reads use. */
    char **sorted = NULL;
    size_t ns = 0;
    trunks_to_list(ds_cstr(&ds), &sorted, &ns);
    ds_clear(&ds);
    for (size_t i = 0; i < ns; i++) {
        ds_put_format(&ds, "%s%s", i ? "," : "", sorted[i]);
    }
    vsctl_free_list(sorted, ns);
    *sqlval = ns ? ds_steal(&ds) : NULL;
    ds_destroy(&ds);
    return 0;
}

/* ------------------------------------------------------------------------
 * Writes.
 * ------------------------------------------------------------------------ */

static int
write_scalar(struct vsctl_ctx *ctx, const struct vtable *t,
             const struct vcol *c, int64_t id, const char *sqlval)
{
    char *sql = xasprintf("UPDATE %s SET %s = ?2 WHERE id = ?1", t->sql,
                          c->sql);
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    free(sql);
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_int64(stmt, 1, id);
    if (!sqlval) {
        sqlite3_bind_null(stmt, 2);
    } else if (c->kind == VC_INT) {
        sqlite3_bind_int64(stmt, 2, strtoll(sqlval, NULL, 10));
    } else {
        sqlite3_bind_text(stmt, 2, sqlval, -1, SQLITE_TRANSIENT);
    }
    int error = vsctl_step_done(ctx, stmt);
    ctx->changed = true;
    return error;
}

static int
map_put(struct vsctl_ctx *ctx, const struct vtable *t, const struct vcol *c,
        int64_t id, const char *key, const char *value, bool replace)
{
    char *sql = is_global(t)
        ? xasprintf("INSERT OR %s INTO %s (key, value) VALUES (?2, ?3)",
                    replace ? "REPLACE" : "IGNORE", c->sql)
        : xasprintf("INSERT OR %s INTO %s (%s, key, value) "
                    "VALUES (?1, ?2, ?3)", replace ? "REPLACE" : "IGNORE",
                    c->sql, t->owner_col);
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    free(sql);
    if (!stmt) {
        return EIO;
    }
    if (!is_global(t)) {
        sqlite3_bind_int64(stmt, 1, id);
    }
    sqlite3_bind_text(stmt, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, value, -1, SQLITE_TRANSIENT);
    ctx->changed = true;
    return vsctl_step_done(ctx, stmt);
}

/* Deletes KEY (only when its value is VALUE, if VALUE is nonnull), or
 * every key when KEY is NULL. */
static int
map_delete(struct vsctl_ctx *ctx, const struct vtable *t,
           const struct vcol *c, int64_t id, const char *key,
           const char *value)
{
    struct ds sql = DS_EMPTY;
    ds_put_format(&sql, "DELETE FROM %s WHERE 1", c->sql);
    if (!is_global(t)) {
        ds_put_format(&sql, " AND %s = ?1", t->owner_col);
    }
    if (key) {
        ds_put_cstr(&sql, " AND key = ?2");
    }
    if (value) {
        ds_put_cstr(&sql, " AND value = ?3");
    }
    sqlite3_stmt *stmt = vsctl_prepare(ctx, ds_cstr(&sql));
    ds_destroy(&sql);
    if (!stmt) {
        return EIO;
    }
    if (!is_global(t)) {
        sqlite3_bind_int64(stmt, 1, id);
    }
    if (key) {
        sqlite3_bind_text(stmt, 2, key, -1, SQLITE_TRANSIENT);
    }
    if (value) {
        sqlite3_bind_text(stmt, 3, value, -1, SQLITE_TRANSIENT);
    }
    ctx->changed = true;
    return vsctl_step_done(ctx, stmt);
}

/* Applies "COLUMN[:KEY]=VALUE" to row ID of T (set, and add-port's extra
 * arguments). */
static int
set_column(struct vsctl_ctx *ctx, const struct vtable *t, int64_t id,
           const char *column, const char *key, const char *value)
{
    const struct vcol *c;
    int error = get_col(ctx, t, column, &c);
    if (error || (error = check_writable(ctx, t, c))) {
        return error;
    }
    if (!value) {
        return vsctl_error(ctx, "'%s%s%s': missing '=VALUE'", column,
                           key ? ":" : "", key ? key : "");
    }

    if (key) {
        if (c->kind != VC_MAP) {
            return vsctl_error(ctx, "column '%s' in table %s is not a map, so "
                               "'%s:%s' cannot name a key in it", c->name,
                               t->name, c->name, key);
        }
        const char *errmsg = NULL;
        char *v = vsctl_parse_string(value, &errmsg);
        if (!v) {
            return vsctl_error(ctx, "%s:%s: %s", c->name, key, errmsg);
        }
        error = check_map_entry(ctx, t, c, key, v);
        if (!error) {
            error = map_put(ctx, t, c, id, key, v, true);
        }
        free(v);
        return error;
    }

    switch (c->kind) {
    case VC_MAP: {
        struct vsdb_smap map = VSDB_SMAP_INITIALIZER;
        const char *errmsg = vsctl_parse_map(value, &map);
        if (errmsg) {
            error = vsctl_error(ctx, "%s: %s in '%s' (expected {KEY=VALUE, "
                                "...})", c->name, errmsg, value);
        }
        for (size_t i = 0; i < map.n && !error; i++) {
            error = check_map_entry(ctx, t, c, map.nodes[i].key,
                                    map.nodes[i].value);
        }
        if (!error) {
            error = map_delete(ctx, t, c, id, NULL, NULL);
        }
        for (size_t i = 0; i < map.n && !error; i++) {
            error = map_put(ctx, t, c, id, map.nodes[i].key,
                            map.nodes[i].value, true);
        }
        vsdb_smap_destroy(&map);
        return error;
    }
    case VC_TRUNKS: {
        char **items;
        size_t n;
        const char *errmsg = vsctl_parse_list(value, &items, &n);
        if (errmsg) {
            return vsctl_error(ctx, "%s: %s in '%s'", c->name, errmsg, value);
        }
        char *sqlval;
        error = parse_trunks(ctx, c, items, n, &sqlval);
        vsctl_free_list(items, n);
        if (!error) {
            error = write_scalar(ctx, t, c, id, sqlval);
            free(sqlval);
        }
        return error;
    }
    case VC_STRING:
    case VC_INT: {
        char *sqlval;
        error = parse_scalar(ctx, t, c, value, &sqlval);
        if (!error) {
            error = write_scalar(ctx, t, c, id, sqlval);
            free(sqlval);
        }
        return error;
    }
    case VC_CHILDREN:
        break;
    }
    return vsctl_error(ctx, "column '%s' cannot be set", c->name);
}

/* ------------------------------------------------------------------------
 * Generic commands.
 * ------------------------------------------------------------------------ */

/* The columns to show: --columns or all. */
static int
select_columns(struct vsctl_ctx *ctx, const struct vtable *t,
               const struct vcol ***colsp, size_t *np)
{
    const struct vcol **cols = NULL;
    size_t n = 0;
    if (ctx->opts.columns) {
        char *copy = xstrdup(ctx->opts.columns);
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            const struct vcol *c;
            int error = get_col(ctx, t, tok, &c);
            if (error) {
                free(copy);
                free(cols);
                return error;
            }
            cols = xrealloc(cols, (n + 1) * sizeof *cols);
            cols[n++] = c;
        }
        free(copy);
    } else {
        for (const struct vcol *c = t->cols; c->name; c++) {
            cols = xrealloc(cols, (n + 1) * sizeof *cols);
            cols[n++] = c;
        }
    }
    *colsp = cols;
    *np = n;
    return 0;
}

/* Prints rows IDS of T in list format. */
static int
print_records(struct vsctl_ctx *ctx, const struct vtable *t,
              const int64_t *ids, size_t n_ids)
{
    const struct vcol **cols;
    size_t n_cols;
    int error = select_columns(ctx, t, &cols, &n_cols);
    if (error) {
        return error;
    }
    int width = 0;
    for (size_t i = 0; i < n_cols; i++) {
        width = VSW_MAX(width, (int) strlen(cols[i]->name) + 1);
    }
    bool json = ctx->format == VSCTL_FMT_JSON;
    if (json) {
        ds_put_char(ctx->out, '[');
    }
    for (size_t r = 0; r < n_ids && !error; r++) {
        if (json) {
            ds_put_cstr(ctx->out, r ? ",\n {" : "{");
        } else if (r) {
            ds_put_char(ctx->out, '\n');
        }
        for (size_t i = 0; i < n_cols && !error; i++) {
            struct vval v;
            error = read_vval(ctx, t, cols[i], ids[r], &v);
            if (error) {
                break;
            }
            if (json) {
                if (i) {
                    ds_put_cstr(ctx->out, ", ");
                }
                ds_put_json_string(ctx->out, cols[i]->name);
                ds_put_cstr(ctx->out, ": ");
                put_vval_json(ctx->out, &v);
            } else if (ctx->bare) {
                put_vval_bare(ctx->out, &v);
                ds_put_char(ctx->out, '\n');
            } else {
                ds_put_format(ctx->out, "%-*s: ", width, cols[i]->name);
                put_vval_text(ctx->out, &v);
                ds_put_char(ctx->out, '\n');
            }
            vval_destroy(&v);
        }
        if (json) {
            ds_put_char(ctx->out, '}');
        }
    }
    if (json) {
        ds_put_cstr(ctx->out, "]\n");
    }
    free(cols);
    return error;
}

/* Ids of every row of T, by name. */
static int
all_ids(struct vsctl_ctx *ctx, const struct vtable *t, int64_t **ids,
        size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (is_global(t)) {
        *ids = xmalloc(sizeof **ids);
        (*ids)[0] = 1;
        *n = 1;
        return 0;
    }
    char *sql = xasprintf("SELECT id FROM %s ORDER BY name", t->sql);
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    free(sql);
    if (!stmt) {
        return EIO;
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
        (*ids)[(*n)++] = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : vsctl_sql_error(ctx, "listing rows");
}

static int
cmd_list(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const struct vtable *t;
    int error = get_table(ctx, argv[0], &t);
    if (error) {
        return error;
    }
    int64_t *ids = NULL;
    size_t n = 0;
    if (argc == 1) {
        error = all_ids(ctx, t, &ids, &n);
    } else {
        for (int i = 1; i < argc && !error; i++) {
            int64_t id;
            error = find_record(ctx, t, argv[i], &id);
            if (error == ENOENT && ctx->opts.if_exists) {
                vsw_error_clear(ctx->err);
                error = 0;
                continue;
            }
            if (!error) {
                ids = xrealloc(ids, (n + 1) * sizeof *ids);
                ids[n++] = id;
            }
        }
    }
    if (!error) {
        error = print_records(ctx, t, ids, n);
    }
    free(ids);
    return error;
}

/* Canonical text of operator value TEXT for column C, to compare with
 * put_vval_text() of stored values. */
static int
normalize_value(struct vsctl_ctx *ctx, const struct vtable *t,
                const struct vcol *c, const char *text, struct ds *out)
{
    struct vval v;
    vval_init(&v);
    const char *errmsg = NULL;
    int error = 0;
    switch (c->kind) {
    case VC_MAP:
        v.type = VV_MAP;
        v.int_values = (c->flags & VCF_INT_VALUES) != 0;
        errmsg = vsctl_parse_map(text, &v.map);
        break;
    case VC_TRUNKS:
    case VC_CHILDREN: {
        char **items;
        size_t n;
        v.type = VV_LIST;
        errmsg = vsctl_parse_list(text, &items, &n);
        if (!errmsg) {
            if (c->kind == VC_TRUNKS) {
                struct ds tmp = DS_EMPTY;
                for (size_t i = 0; i < n; i++) {
                    unsigned long long x;
                    if (!vsw_parse_uint(items[i], 0, 4095, &x)) {
                        errmsg = "not a list of VLANs";
                    }
                    ds_put_format(&tmp, "%s%s", i ? "," : "", items[i]);
                }
                v.int_items = true;
                trunks_to_list(ds_cstr(&tmp), &v.items, &v.n);
                ds_destroy(&tmp);
                vsctl_free_list(items, n);
            } else {
                v.items = items;
                v.n = n;
            }
        }
        break;
    }
    case VC_INT:
        if (!strcmp(text, "[]")) {
            v.type = VV_NULL;
        } else {
            char *end;
            errno = 0;
            v.type = VV_INT;
            v.i = strtoll(text, &end, 10);
            if (*end || !*text || errno) {
                errmsg = "not an integer";
            }
        }
        break;
    case VC_STRING:
        if (!strcmp(text, "[]")) {
            v.type = VV_NULL;
        } else {
            v.type = VV_STR;
            v.s = vsctl_parse_string(text, &errmsg);
        }
        break;
    }
    if (errmsg) {
        error = vsctl_error(ctx, "%s: %s in '%s'", c->name, errmsg, text);
    } else {
        put_vval_text(out, &v);
    }
    (void) t;
    vval_destroy(&v);
    return error;
}

static int
cmd_find(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const struct vtable *t;
    int error = get_table(ctx, argv[0], &t);
    if (error) {
        return error;
    }

    /* Parse every condition first, so a typo fails even on empty tables. */
    int n_conds = argc - 1;
    struct cond {
        const struct vcol *col;
        char *key;
        char *value;            /* key: the string; else normalized text */
        bool ne;
    } *conds = xcalloc(n_conds ? n_conds : 1, sizeof *conds);
    for (int i = 0; i < n_conds && !error; i++) {
        char *column, *key, *value;
        bool ne;
        const char *errmsg = vsctl_parse_column_arg(argv[i + 1], &column,
                                                    &key, &value, &ne);
        if (errmsg) {
            error = vsctl_error(ctx, "'%s': %s", argv[i + 1], errmsg);
            break;
        }
        conds[i].key = key;
        conds[i].ne = ne;
        error = get_col(ctx, t, column, &conds[i].col);
        if (!error && !value) {
            error = vsctl_error(ctx, "'%s': expected COLUMN[:KEY]=VALUE or "
                                "COLUMN[:KEY]!=VALUE", argv[i + 1]);
        }
        if (!error && key && conds[i].col->kind != VC_MAP) {
            error = vsctl_error(ctx, "column '%s' in table %s is not a map",
                                column, t->name);
        }
        if (!error) {
            if (key) {
                const char *em = NULL;
                conds[i].value = vsctl_parse_string(value, &em);
                if (!conds[i].value) {
                    error = vsctl_error(ctx, "'%s': %s", argv[i + 1], em);
                }
            } else {
                struct ds norm = DS_EMPTY;
                error = normalize_value(ctx, t, conds[i].col, value, &norm);
                conds[i].value = ds_steal(&norm);
                ds_destroy(&norm);
            }
        }
        free(column);
        free(value);
    }

    int64_t *ids = NULL, *hits = NULL;
    size_t n = 0, n_hits = 0;
    if (!error) {
        error = all_ids(ctx, t, &ids, &n);
    }
    for (size_t r = 0; r < n && !error; r++) {
        bool match = true;
        for (int i = 0; i < n_conds && match && !error; i++) {
            struct vval v;
            error = read_vval(ctx, t, conds[i].col, ids[r], &v);
            if (error) {
                break;
            }
            bool eq;
            if (conds[i].key) {
                const char *got = vsdb_smap_get(&v.map, conds[i].key);
                eq = got && !strcmp(got, conds[i].value);
            } else {
                struct ds text = DS_EMPTY;
                put_vval_text(&text, &v);
                eq = !strcmp(ds_cstr(&text), conds[i].value);
                ds_destroy(&text);
            }
            match = conds[i].ne ? !eq : eq;
            vval_destroy(&v);
        }
        if (match) {
            hits = xrealloc(hits, (n_hits + 1) * sizeof *hits);
            hits[n_hits++] = ids[r];
        }
    }
    if (!error) {
        error = print_records(ctx, t, hits, n_hits);
    }
    for (int i = 0; i < n_conds; i++) {
        free(conds[i].key);
        free(conds[i].value);
    }
    free(conds);
    free(ids);
    free(hits);
    return error;
}

static int
cmd_get(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const struct vtable *t;
    int64_t id;
    int error = get_table(ctx, argv[0], &t);
    if (!error) {
        error = find_record(ctx, t, argv[1], &id);
    }
    if (error == ENOENT && ctx->opts.if_exists) {
        vsw_error_clear(ctx->err);
        return 0;
    }
    bool json = ctx->format == VSCTL_FMT_JSON;
    int n_vals = argc - 2;
    if (json && n_vals > 1) {
        ds_put_char(ctx->out, '[');
    }
    for (int i = 2; i < argc && !error; i++) {
        char *column, *key, *value;
        const char *errmsg = vsctl_parse_column_arg(argv[i], &column, &key,
                                                    &value, NULL);
        if (errmsg) {
            error = vsctl_error(ctx, "'%s': %s", argv[i], errmsg);
            break;
        }
        const struct vcol *c;
        error = get_col(ctx, t, column, &c);
        if (!error && value) {
            error = vsctl_error(ctx, "get: '%s': a value is not expected "
                                "here", argv[i]);
        }
        if (!error && key && c->kind != VC_MAP) {
            error = vsctl_error(ctx, "column '%s' in table %s is not a map, "
                                "so '%s:%s' cannot name a key in it", c->name,
                                t->name, c->name, key);
        }
        struct vval v;
        if (!error) {
            error = read_vval(ctx, t, c, id, &v);
        }
        if (!error) {
            if (json && n_vals > 1 && i > 2) {
                ds_put_cstr(ctx->out, ", ");
            }
            if (key) {
                const char *got = vsdb_smap_get(&v.map, key);
                if (!got) {
                    if (ctx->opts.if_exists) {
                        if (json) {
                            ds_put_cstr(ctx->out, "null");
                        }
                    } else {
                        error = vsctl_error(ctx, "no key \"%s\" in %s record "
                                            "\"%s\" column %s", key, t->name,
                                            argv[1], c->name);
                    }
                } else if (json) {
                    unsigned long long u;
                    if (v.int_values
                        && vsw_parse_uint(got, 0, UINT64_MAX, &u)) {
                        ds_put_format(ctx->out, "%llu", u);
                    } else {
                        ds_put_json_string(ctx->out, got);
                    }
                } else {
                    if (v.int_values) {
                        ds_put_cstr(ctx->out, got);
                    } else {
                        vsctl_put_string(ctx->out, got);
                    }
                    ds_put_char(ctx->out, '\n');
                }
            } else if (json) {
                put_vval_json(ctx->out, &v);
            } else {
                put_vval_text(ctx->out, &v);
                ds_put_char(ctx->out, '\n');
            }
            vval_destroy(&v);
        }
        free(column);
        free(key);
        free(value);
    }
    if (json && n_vals > 1) {
        ds_put_char(ctx->out, ']');
    }
    if (json) {
        ds_put_char(ctx->out, '\n');
    }
    return error;
}

static int
cmd_set(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const struct vtable *t;
    int64_t id;
    int error = get_table(ctx, argv[0], &t);
    if (!error) {
        error = find_record(ctx, t, argv[1], &id);
    }
    if (error == ENOENT && ctx->opts.if_exists) {
        vsw_error_clear(ctx->err);
        return 0;
    }
    for (int i = 2; i < argc && !error; i++) {
        char *column, *key, *value;
        const char *errmsg = vsctl_parse_column_arg(argv[i], &column, &key,
                                                    &value, NULL);
        if (errmsg) {
            return vsctl_error(ctx, "'%s': %s", argv[i], errmsg);
        }
        error = set_column(ctx, t, id, column, key, value);
        free(column);
        free(key);
        free(value);
    }
    return error;
}

/* add / remove: TABLE RECORD COLUMN VALUE... */
static int
add_remove(struct vsctl_ctx *ctx, int argc, char *argv[], bool add)
{
    const struct vtable *t;
    const struct vcol *c;
    int64_t id;
    int error = get_table(ctx, argv[0], &t);
    if (!error) {
        error = find_record(ctx, t, argv[1], &id);
    }
    if (error == ENOENT && ctx->opts.if_exists) {
        vsw_error_clear(ctx->err);
        return 0;
    }
    if (!error) {
        error = get_col(ctx, t, argv[2], &c);
    }
    if (!error) {
        error = check_writable(ctx, t, c);
    }
    if (error) {
        return error;
    }

    if (c->kind == VC_MAP) {
        for (int i = 3; i < argc && !error; i++) {
            if (!add && !strchr(argv[i], '=') && argv[i][0] != '{') {
                /* remove ... KEY */
                const char *errmsg = NULL;
                char *key = vsctl_parse_string(argv[i], &errmsg);
                if (!key) {
                    return vsctl_error(ctx, "'%s': %s", argv[i], errmsg);
                }
                error = map_delete(ctx, t, c, id, key, NULL);
                free(key);
                continue;
            }
            struct vsdb_smap map = VSDB_SMAP_INITIALIZER;
            const char *errmsg = vsctl_parse_map(argv[i], &map);
            if (errmsg) {
                error = vsctl_error(ctx, "%s: %s in '%s' (expected "
                                    "KEY=VALUE)", c->name, errmsg, argv[i]);
            }
            for (size_t k = 0; k < map.n && !error; k++) {
                if (add) {
                    error = check_map_entry(ctx, t, c, map.nodes[k].key,
                                            map.nodes[k].value);
                    if (!error) {
                        /* Like ovs-vsctl: add keeps an existing key. */
                        error = map_put(ctx, t, c, id, map.nodes[k].key,
                                        map.nodes[k].value, false);
                    }
                } else {
                    error = map_delete(ctx, t, c, id, map.nodes[k].key,
                                       map.nodes[k].value);
                }
            }
            vsdb_smap_destroy(&map);
        }
        return error;
    }

    if (c->kind == VC_TRUNKS) {
        struct vval cur;
        error = read_vval(ctx, t, c, id, &cur);
        if (error) {
            return error;
        }
        char **items = cur.items;
        size_t n = cur.n;
        cur.items = NULL;
        cur.n = 0;
        vval_destroy(&cur);
        for (int i = 3; i < argc && !error; i++) {
            char **more;
            size_t n_more;
            const char *errmsg = vsctl_parse_list(argv[i], &more, &n_more);
            if (errmsg) {
                error = vsctl_error(ctx, "%s: %s in '%s'", c->name, errmsg,
                                    argv[i]);
                break;
            }
            for (size_t k = 0; k < n_more && !error; k++) {
                unsigned long long v;
                if (!vsw_parse_uint(more[k], c->min, c->max, &v)) {
                    error = vsctl_error(ctx, "%s: '%s' is not a VLAN from "
                                        "%lld to %lld", c->name, more[k],
                                        c->min, c->max);
                } else if (add) {
                    list_add(&items, &n, more[k]);
                } else {
                    for (size_t j = 0; j < n; j++) {
                        unsigned long long w;
                        if (vsw_parse_uint(items[j], 0, 4095, &w) && w == v) {
                            free(items[j]);
                            items[j] = items[--n];
                            j--;
                        }
                    }
                }
            }
            vsctl_free_list(more, n_more);
        }
        if (!error) {
            char *sqlval;
            error = parse_trunks(ctx, c, items, n, &sqlval);
            if (!error) {
                error = write_scalar(ctx, t, c, id, sqlval);
                free(sqlval);
            }
        }
        vsctl_free_list(items, n);
        return error;
    }

    /* Scalars: "add" sets an empty one, "remove" empties a matching one
     * (ovs-vsctl treats optional scalars as sets of at most one). */
    if (argc != 4) {
        return vsctl_error(ctx, "column '%s' in table %s holds one value: "
                           "give exactly one", c->name, t->name);
    }
    struct vval cur;
    error = read_vval(ctx, t, c, id, &cur);
    if (error) {
        return error;
    }
    struct ds want = DS_EMPTY, have = DS_EMPTY;
    error = normalize_value(ctx, t, c, argv[3], &want);
    put_vval_text(&have, &cur);
    if (!error && add) {
        if (cur.type == VV_NULL) {
            char *sqlval;
            error = parse_scalar(ctx, t, c, argv[3], &sqlval);
            if (!error) {
                error = write_scalar(ctx, t, c, id, sqlval);
                free(sqlval);
            }
        } else if (strcmp(ds_cstr(&have), ds_cstr(&want))) {
            error = vsctl_error(ctx, "column '%s' in table %s already holds "
                                "%s and takes one value (use set)", c->name,
                                t->name, ds_cstr(&have));
        }
    } else if (!error && cur.type != VV_NULL
               && !strcmp(ds_cstr(&have), ds_cstr(&want))) {
        if (!(c->flags & VCF_NULLABLE)) {
            error = vsctl_error(ctx, "column '%s' in table %s cannot be "
                                "empty", c->name, t->name);
        } else {
            error = write_scalar(ctx, t, c, id, NULL);
        }
    }
    ds_destroy(&want);
    ds_destroy(&have);
    vval_destroy(&cur);
    return error;
}

static int
cmd_add(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    return add_remove(ctx, argc, argv, true);
}

static int
cmd_remove(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    return add_remove(ctx, argc, argv, false);
}

static int
cmd_clear(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const struct vtable *t;
    int64_t id;
    int error = get_table(ctx, argv[0], &t);
    if (!error) {
        error = find_record(ctx, t, argv[1], &id);
    }
    if (error == ENOENT && ctx->opts.if_exists) {
        vsw_error_clear(ctx->err);
        return 0;
    }
    for (int i = 2; i < argc && !error; i++) {
        const struct vcol *c;
        error = get_col(ctx, t, argv[i], &c);
        if (!error) {
            error = check_writable(ctx, t, c);
        }
        if (error) {
            break;
        }
        if (c->kind == VC_MAP) {
            error = map_delete(ctx, t, c, id, NULL, NULL);
        } else if (c->flags & VCF_NULLABLE) {
            error = write_scalar(ctx, t, c, id, NULL);
        } else if (c->dflt) {
            error = write_scalar(ctx, t, c, id, c->dflt);
        } else {
            error = vsctl_error(ctx, "column '%s' in table %s cannot be "
                                "empty", c->name, t->name);
        }
    }
    return error;
}

/* ------------------------------------------------------------------------
 * Bridges and ports.
 * ------------------------------------------------------------------------ */

/* The bridge a port belongs to (name, caller frees), or NULL. */
static char *
port_bridge_name(struct vsctl_ctx *ctx, int64_t port_id)
{
    sqlite3_stmt *stmt = vsctl_prepare(ctx, "SELECT b.name FROM port p JOIN "
                                       "bridge b ON b.id = p.bridge_id "
                                       "WHERE p.id = ?1");
    if (!stmt) {
        return NULL;
    }
    sqlite3_bind_int64(stmt, 1, port_id);
    char *name = NULL;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        name = xstrdup((const char *) sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return name;
}

static int
cmd_add_br(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const char *name = argv[0];
    int64_t id;
    int error = vsctl_check_name(ctx, "bridge", name);
    if (error) {
        return error;
    }
    error = vsctl_find_by_name(ctx, "bridge", name, &id);
    if (!error) {
        return ctx->opts.may_exist ? 0 : vsctl_error(ctx, "bridge %s already "
                                                     "exists", name);
    } else if (error != ENOENT) {
        return error;
    }
    if (!vsctl_find_by_name(ctx, "port", name, &id)) {
        char *br = port_bridge_name(ctx, id);
        error = vsctl_error(ctx, "cannot create a bridge named %s because a "
                            "port named %s already exists on bridge %s", name,
                            name, br ? br : "?");
        free(br);
        return error;
    }
    sqlite3_stmt *stmt = vsctl_prepare(ctx, "INSERT INTO bridge (name) "
                                       "VALUES (?1)");
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    ctx->changed = true;
    return vsctl_step_done(ctx, stmt);
}

static int
cmd_del_br(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t id;
    int error = vsctl_find_by_name(ctx, "bridge", argv[0], &id);
    if (error == ENOENT) {
        return ctx->opts.if_exists ? 0 : vsctl_error(ctx, "no bridge named "
                                                     "%s", argv[0]);
    } else if (error) {
        return error;
    }
    sqlite3_stmt *stmt = vsctl_prepare(ctx, "DELETE FROM bridge WHERE id = ?1");
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_int64(stmt, 1, id);
    ctx->changed = true;
    return vsctl_step_done(ctx, stmt);
}

/* Prints the names SQL returns (one ?1 parameter: ID, if ID >= 0). */
static int
print_names(struct vsctl_ctx *ctx, const char *sql, int64_t id)
{
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    if (!stmt) {
        return EIO;
    }
    if (id >= 0) {
        sqlite3_bind_int64(stmt, 1, id);
    }
    bool json = ctx->format == VSCTL_FMT_JSON;
    if (json) {
        ds_put_char(ctx->out, '[');
    }
    int rc, n = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *) sqlite3_column_text(stmt, 0);
        if (json) {
            if (n) {
                ds_put_cstr(ctx->out, ", ");
            }
            ds_put_json_string(ctx->out, name);
        } else {
            ds_put_format(ctx->out, "%s\n", name);
        }
        n++;
    }
    sqlite3_finalize(stmt);
    if (json) {
        ds_put_cstr(ctx->out, "]\n");
    }
    return rc == SQLITE_DONE ? 0 : vsctl_sql_error(ctx, "listing names");
}

static int
cmd_list_br(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    return print_names(ctx, "SELECT name FROM bridge ORDER BY name", -1);
}

static int
cmd_br_exists(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t id;
    int error = vsctl_find_by_name(ctx, "bridge", argv[0], &id);
    if (error == ENOENT) {
        ctx->exit_status = 2;
        return 0;
    }
    return error;
}

static int
get_bridge(struct vsctl_ctx *ctx, const char *name, int64_t *id)
{
    int error = vsctl_find_by_name(ctx, "bridge", name, id);
    if (error == ENOENT) {
        return vsctl_error_code(ctx, ENOENT, "no bridge named %s", name);
    }
    return error;
}

/* ovs-vsctl's `init`: opening the database already created it, so there
 * is nothing left to do; provisioning scripts run it first. */
static int
cmd_init(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    return 0;
}

/* set-fail-mode / get-fail-mode / del-fail-mode: ovs-vsctl's shortcuts for
 * the bridge's fail_mode column, through the generic column code so that
 * the value is checked the same way as `set bridge BR fail_mode=...`. */
static int
cmd_set_fail_mode(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t id;
    int error = get_bridge(ctx, argv[0], &id);
    return error ? error : set_column(ctx, &vtables[0], id, "fail_mode",
                                      NULL, argv[1]);
}

static int
cmd_get_fail_mode(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const struct vcol *c = find_col(&vtables[0], "fail_mode");
    int64_t id;
    struct vval v;
    int error = get_bridge(ctx, argv[0], &id);
    if (!error) {
        error = read_vval(ctx, &vtables[0], c, id, &v);
    }
    if (!error) {
        /* Like ovs-vsctl: the mode, or nothing when none is set. */
        if (ctx->format == VSCTL_FMT_JSON) {
            put_vval_json(ctx->out, &v);
            ds_put_char(ctx->out, '\n');
        } else if (v.type == VV_STR) {
            ds_put_format(ctx->out, "%s\n", v.s);
        }
        vval_destroy(&v);
    }
    return error;
}

static int
cmd_del_fail_mode(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t id;
    int error = get_bridge(ctx, argv[0], &id);
    return error ? error : write_scalar(ctx, &vtables[0],
                                        find_col(&vtables[0], "fail_mode"),
                                        id, NULL);
}

static int
insert_row(struct vsctl_ctx *ctx, const char *sql, int64_t parent,
           const char *name, int64_t *id)
{
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_int64(stmt, 1, parent);
    sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
    int error = vsctl_step_done(ctx, stmt);
    if (!error) {
        *id = sqlite3_last_insert_rowid(ctx->sql);
        ctx->changed = true;
    }
    return error;
}

static int
cmd_add_port(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const char *br = argv[0], *name = argv[1];
    int64_t br_id, id;
    int error = get_bridge(ctx, br, &br_id);
    if (!error) {
        error = vsctl_check_name(ctx, "port", name);
    }
    if (error) {
        return error;
    }

    error = vsctl_find_by_name(ctx, "port", name, &id);
    if (!error) {
        char *on = port_bridge_name(ctx, id);
        bool same = on && !strcmp(on, br);
        if (ctx->opts.may_exist && same) {
            error = 0;
        } else if (ctx->opts.may_exist) {
            error = vsctl_error(ctx, "\"--may-exist add-port %s %s\" but %s "
                                "is actually attached to bridge %s", br, name,
                                name, on ? on : "?");
        } else {
            error = vsctl_error(ctx, "port %s already exists on %s", name,
                                on ? on : "?");
        }
        free(on);
        return error;
    } else if (error != ENOENT) {
        return error;
    }
    vsw_error_clear(ctx->err);
    if (!vsctl_find_by_name(ctx, "bridge", name, &id)) {
        return vsctl_error(ctx, "cannot create a port named %s because a "
                           "bridge named %s already exists", name, name);
    }
    if (!vsctl_find_by_name(ctx, "interface", name, &id)) {
        return vsctl_error(ctx, "cannot create a port named %s because an "
                           "interface named %s already exists", name, name);
    }

    int64_t port_id, iface_id;
    error = insert_row(ctx, "INSERT INTO port (bridge_id, name) "
                       "VALUES (?1, ?2)", br_id, name, &port_id);
    if (!error) {
        error = insert_row(ctx, "INSERT INTO interface (port_id, name) "
                           "VALUES (?1, ?2)", port_id, name, &iface_id);
    }
    if (!error) {
        vsctl_note_new_iface(ctx, name);
    }

    /* COLUMN[:KEY]=VALUE: the port's column if it has one, else the
     * interface's (so "type=dpdk options:dpdk-devargs=..." work here). */
    for (int i = 2; i < argc && !error; i++) {
        char *column, *key, *value;
        const char *errmsg = vsctl_parse_column_arg(argv[i], &column, &key,
                                                    &value, NULL);
        if (errmsg) {
            return vsctl_error(ctx, "'%s': %s", argv[i], errmsg);
        }
        if (find_col(&vtables[1], column)) {
            error = set_column(ctx, &vtables[1], port_id, column, key, value);
        } else if (find_col(&vtables[2], column)) {
            error = set_column(ctx, &vtables[2], iface_id, column, key,
                               value);
        } else {
            error = vsctl_error(ctx, "unknown column '%s' in tables port and "
                                "interface", column);
        }
        free(column);
        free(key);
        free(value);
    }
    return error;
}

static int
cmd_del_port(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    const char *br = argc == 2 ? argv[0] : NULL;
    const char *name = argv[argc - 1];
    int64_t br_id = -1, id;
    int error = 0;
    if (br) {
        error = get_bridge(ctx, br, &br_id);
        if (error) {
            return error;
        }
    }
    error = vsctl_find_by_name(ctx, "port", name, &id);
    if (error == ENOENT) {
        if (ctx->opts.if_exists) {
            return 0;
        }
        return br ? vsctl_error(ctx, "bridge %s does not have a port %s", br,
                                name)
                  : vsctl_error(ctx, "no port named %s", name);
    } else if (error) {
        return error;
    }
    if (br) {
        char *on = port_bridge_name(ctx, id);
        if (!on || strcmp(on, br)) {
            error = vsctl_error(ctx, "bridge %s does not have a port %s (it "
                                "is on bridge %s)", br, name, on ? on : "?");
        }
        free(on);
        if (error) {
            return error;
        }
    }
    sqlite3_stmt *stmt = vsctl_prepare(ctx, "DELETE FROM port WHERE id = ?1");
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_int64(stmt, 1, id);
    ctx->changed = true;
    return vsctl_step_done(ctx, stmt);
}

static int
cmd_list_ports(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t br_id;
    int error = get_bridge(ctx, argv[0], &br_id);
    return error ? error : print_names(ctx, "SELECT name FROM port WHERE "
                                       "bridge_id = ?1 ORDER BY name", br_id);
}

static int
cmd_list_ifaces(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t br_id;
    int error = get_bridge(ctx, argv[0], &br_id);
    return error ? error
                 : print_names(ctx, "SELECT i.name FROM interface i JOIN port "
                               "p ON p.id = i.port_id WHERE p.bridge_id = ?1 "
                               "ORDER BY i.name", br_id);
}

static int
print_one_name(struct vsctl_ctx *ctx, const char *sql, const char *key,
               const char *what)
{
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(stmt);
    int error = 0;
    if (rc == SQLITE_ROW) {
        const char *name = (const char *) sqlite3_column_text(stmt, 0);
        if (ctx->format == VSCTL_FMT_JSON) {
            ds_put_json_string(ctx->out, name);
            ds_put_char(ctx->out, '\n');
        } else {
            ds_put_format(ctx->out, "%s\n", name);
        }
    } else if (rc == SQLITE_DONE) {
        error = vsctl_error_code(ctx, ENOENT, "no %s named %s", what, key);
    } else {
        error = vsctl_sql_error(ctx, "looking up a name");
    }
    sqlite3_finalize(stmt);
    return error;
}

static int
cmd_port_to_br(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    return print_one_name(ctx, "SELECT b.name FROM port p JOIN bridge b ON "
                          "b.id = p.bridge_id WHERE p.name = ?1", argv[0],
                          "port");
}

static int
cmd_iface_to_br(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    return print_one_name(ctx, "SELECT b.name FROM interface i JOIN port p "
                          "ON p.id = i.port_id JOIN bridge b ON "
                          "b.id = p.bridge_id WHERE i.name = ?1", argv[0],
                          "interface");
}

/* ------------------------------------------------------------------------
 * show
 * ------------------------------------------------------------------------ */

static void
show_text(struct ds *out, const struct vsdb_config *cfg)
{
    for (size_t b = 0; b < cfg->n_bridges; b++) {
        const struct vsdb_bridge *br = &cfg->bridges[b];
        ds_put_cstr(out, "Bridge ");
        vsctl_put_string(out, br->name);
        ds_put_char(out, '\n');
        ds_put_format(out, "    datapath_type: %s\n", br->datapath_type);
        if (br->fail_mode) {
            ds_put_format(out, "    fail_mode: %s\n", br->fail_mode);
        }
        for (size_t p = 0; p < br->n_ports; p++) {
            const struct vsdb_port *port = &br->ports[p];
            ds_put_cstr(out, "    Port ");
            vsctl_put_string(out, port->name);
            ds_put_char(out, '\n');
            if (port->tag >= 0) {
                ds_put_format(out, "        tag: %d\n", port->tag);
            }
            if (port->n_trunks) {
                ds_put_cstr(out, "        trunks: [");
                for (size_t i = 0; i < port->n_trunks; i++) {
                    ds_put_format(out, "%s%u", i ? ", " : "",
                                  port->trunks[i]);
                }
                ds_put_cstr(out, "]\n");
            }
            if (port->vlan_mode != VSDB_VLAN_MODE_DEFAULT) {
                ds_put_format(out, "        vlan_mode: %s\n",
                              vlan_modes[port->vlan_mode - 1]);
            }
            for (size_t i = 0; i < port->n_ifaces; i++) {
                const struct vsdb_interface *iface = &port->ifaces[i];
                ds_put_cstr(out, "        Interface ");
                vsctl_put_string(out, iface->name);
                ds_put_char(out, '\n');
                if (strcmp(iface->type, "system")) {
                    ds_put_format(out, "            type: %s\n", iface->type);
                }
                if (iface->options.n) {
                    ds_put_cstr(out, "            options: ");
                    vsctl_put_text_map(out, &iface->options, false);
                    ds_put_char(out, '\n');
                }
                if (iface->error) {
                    ds_put_cstr(out, "            error: ");
                    ds_put_json_string(out, iface->error);
                    ds_put_char(out, '\n');
                }
            }
        }
    }
}

static void
json_str_or_null(struct ds *out, const char *s)
{
    if (s) {
        ds_put_json_string(out, s);
    } else {
        ds_put_cstr(out, "null");
    }
}

static void
show_json(struct ds *out, const struct vsdb_config *cfg)
{
    ds_put_format(out, "{\"next_cfg\": %"PRId64", \"cur_cfg\": %"PRId64", "
                  "\"bridges\": [", cfg->next_cfg, cfg->cur_cfg);
    for (size_t b = 0; b < cfg->n_bridges; b++) {
        const struct vsdb_bridge *br = &cfg->bridges[b];
        ds_put_cstr(out, b ? ",\n  {\"name\": " : "\n  {\"name\": ");
        ds_put_json_string(out, br->name);
        ds_put_cstr(out, ", \"datapath_type\": ");
        ds_put_json_string(out, br->datapath_type);
        ds_put_cstr(out, ", \"fail_mode\": ");
        json_str_or_null(out, br->fail_mode);
        ds_put_format(out, ", \"n_rules\": %zu, \"ports\": [", br->n_rules);
        for (size_t p = 0; p < br->n_ports; p++) {
            const struct vsdb_port *port = &br->ports[p];
            ds_put_cstr(out, p ? ", {\"name\": " : "{\"name\": ");
            ds_put_json_string(out, port->name);
            if (port->tag >= 0) {
                ds_put_format(out, ", \"tag\": %d", port->tag);
            } else {
                ds_put_cstr(out, ", \"tag\": null");
            }
            ds_put_cstr(out, ", \"trunks\": [");
            for (size_t i = 0; i < port->n_trunks; i++) {
                ds_put_format(out, "%s%u", i ? ", " : "", port->trunks[i]);
            }
            ds_put_cstr(out, "], \"vlan_mode\": ");
            json_str_or_null(out, port->vlan_mode == VSDB_VLAN_MODE_DEFAULT
                                  ? NULL : vlan_modes[port->vlan_mode - 1]);
            ds_put_cstr(out, ", \"interfaces\": [");
            for (size_t i = 0; i < port->n_ifaces; i++) {
                const struct vsdb_interface *iface = &port->ifaces[i];
                ds_put_cstr(out, i ? ", {\"name\": " : "{\"name\": ");
                ds_put_json_string(out, iface->name);
                ds_put_cstr(out, ", \"type\": ");
                ds_put_json_string(out, iface->type);
                ds_put_cstr(out, ", \"options\": ");
                vsctl_put_json_map(out, &iface->options, false);
                if (iface->ofport >= 0) {
                    ds_put_format(out, ", \"ofport\": %"PRId64, iface->ofport);
                } else {
                    ds_put_cstr(out, ", \"ofport\": null");
                }
                ds_put_cstr(out, ", \"link_state\": ");
                json_str_or_null(out, iface->link_state);
                ds_put_cstr(out, ", \"error\": ");
                json_str_or_null(out, iface->error);
                ds_put_char(out, '}');
            }
            ds_put_cstr(out, "]}");
        }
        ds_put_cstr(out, "]}");
    }
    ds_put_cstr(out, cfg->n_bridges ? "\n]}\n" : "]}\n");
}

static int
cmd_show(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    struct vsdb_config *cfg;
    int error = vsdb_read_config(ctx->db, &cfg, ctx->err);
    if (error) {
        return error;
    }
    if (ctx->format == VSCTL_FMT_JSON) {
        show_json(ctx->out, cfg);
    } else {
        show_text(ctx->out, cfg);
    }
    vsdb_config_free(cfg);
    return 0;
}

const struct vsctl_command vsctl_db_commands[] = {
    { "init", 0, 0, "", "", cmd_init, VSCTL_RO,
      "create the database if it does not exist (no other effect)" },
    { "show", 0, 0, "", "", cmd_show, VSCTL_RO,
      "print the bridges, ports and interfaces as a tree" },
    { "add-br", 1, 1, "BR", "--may-exist", cmd_add_br, VSCTL_RW,
      "create bridge BR" },
    { "del-br", 1, 1, "BR", "--if-exists", cmd_del_br, VSCTL_RW,
      "delete bridge BR with its ports and rules" },
    { "list-br", 0, 0, "", "", cmd_list_br, VSCTL_RO,
      "print the names of all bridges" },
    { "br-exists", 1, 1, "BR", "", cmd_br_exists, VSCTL_RO,
      "exit 2 if bridge BR does not exist" },
    { "set-fail-mode", 2, 2, "BR standalone|secure", "", cmd_set_fail_mode,
      VSCTL_RW, "set BR's fail_mode" },
    { "get-fail-mode", 1, 1, "BR", "", cmd_get_fail_mode, VSCTL_RO,
      "print BR's fail_mode (nothing if unset)" },
    { "del-fail-mode", 1, 1, "BR", "", cmd_del_fail_mode, VSCTL_RW,
      "clear BR's fail_mode" },
    { "add-port", 2, -1, "BR PORT [COLUMN[:KEY]=VALUE]...", "--may-exist",
      cmd_add_port, VSCTL_RW,
      "add PORT (and its interface) to BR, setting port or interface "
      "columns" },
    { "del-port", 1, 2, "[BR] PORT", "--if-exists", cmd_del_port, VSCTL_RW,
      "delete PORT (from BR)" },
    { "list-ports", 1, 1, "BR", "", cmd_list_ports, VSCTL_RO,
      "print the names of the ports on BR" },
    { "list-ifaces", 1, 1, "BR", "", cmd_list_ifaces, VSCTL_RO,
      "print the names of the interfaces on BR" },
    { "port-to-br", 1, 1, "PORT", "", cmd_port_to_br, VSCTL_RO,
      "print the bridge that contains PORT" },
    { "iface-to-br", 1, 1, "IFACE", "", cmd_iface_to_br, VSCTL_RO,
      "print the bridge that contains IFACE" },
    { "list", 1, -1, "TABLE [RECORD]...", "--if-exists --columns",
      cmd_list, VSCTL_RO, "print records of TABLE (all by default)" },
    { "find", 1, -1, "TABLE [COLUMN[:KEY]=VALUE]...", "--columns",
      cmd_find, VSCTL_RO, "print the records of TABLE that match (= or !=)" },
    { "get", 3, -1, "TABLE RECORD COLUMN[:KEY]...", "--if-exists", cmd_get,
      VSCTL_RO, "print the values of columns (or map keys)" },
    { "set", 3, -1, "TABLE RECORD COLUMN[:KEY]=VALUE...", "--if-exists",
      cmd_set, VSCTL_RW, "set columns (or map keys)" },
    { "add", 4, -1, "TABLE RECORD COLUMN [KEY=]VALUE...", "--if-exists",
      cmd_add, VSCTL_RW, "add map entries or list elements to a column" },
    { "remove", 4, -1, "TABLE RECORD COLUMN KEY|[KEY=]VALUE...",
      "--if-exists", cmd_remove, VSCTL_RW,
      "remove map keys or list elements from a column" },
    { "clear", 3, -1, "TABLE RECORD COLUMN...", "--if-exists", cmd_clear,
      VSCTL_RW, "empty columns (or restore their default)" },
    { NULL, 0, 0, NULL, NULL, NULL, 0, NULL },
};
