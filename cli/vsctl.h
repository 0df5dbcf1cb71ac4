/* vsctl internals shared by its source files: the per-invocation context,
 * the command table entry, and value formatting.
 *
 *   vsctl.c         main: options, the command table, one transaction for
 *                   the whole `--` chain, --wait, runtime commands
 *   vsctl-db.c      bridges, ports, show, and the generic table commands
 *                   (list/get/set/add/remove/clear/find) with validation
 *   vsctl-flows.c   add-flow(s), mod-flows, del-flows, dump-flows
 *   vsctl-value.c   values: parsing operator text, text and JSON output
 */
#ifndef VSW_CLI_VSCTL_H
#define VSW_CLI_VSCTL_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "db/vsdb.h"
#include "utilities/ds.h"
#include "utilities/error.h"

enum vsctl_format {
    VSCTL_FMT_TEXT,
    VSCTL_FMT_JSON,
};

/* Per-command options (given before or right after the command name). */
struct vsctl_cmd_opts {
    bool may_exist;
    bool if_exists;
    bool strict;
    char *columns;              /* --columns=a,b for list/find, or NULL */
};

/* State of one command while it runs inside the shared transaction. */
struct vsctl_ctx {
    struct vsdb *db;
    sqlite3 *sql;
    enum vsctl_format format;
    bool bare;                  /* --bare: list/find print values only */
    struct vsctl_cmd_opts opts;
    struct ds *out;             /* this command's output */
    struct vsw_error *err;      /* set by a failing command */
    bool changed;               /* set by commands that wrote something */
    int exit_status;            /* nonzero without an error: br-exists */
    /* Interfaces created by this invocation, so that --wait can report
     * errors vswitchd wrote for them. */
    char ***new_ifaces;
    size_t *n_new_ifaces;
};

/* Returns 0 or an errno with ctx->err set (the message vsctl prints). */
typedef int vsctl_run_func(struct vsctl_ctx *, int argc, char *argv[]);

enum vsctl_mode {
    VSCTL_RO,                   /* reads the database */
    VSCTL_RW,                   /* writes the database */
    VSCTL_RUNTIME,              /* forwarded to vswitchd's control socket */
};

struct vsctl_command {
    const char *name;
    int min_args;
    int max_args;               /* -1: unlimited */
    const char *usage;          /* arguments, e.g. "BR PORT [COL[:KEY]=VALUE]..." */
    const char *options;        /* accepted per-command options, e.g.
                                 * "--may-exist", space separated */
    vsctl_run_func *run;        /* NULL for VSCTL_RUNTIME */
    enum vsctl_mode mode;
    const char *help;           /* one line */
};

/* Command tables of each file (terminated by a NULL name). */
extern const struct vsctl_command vsctl_db_commands[];
extern const struct vsctl_command vsctl_flow_commands[];

/* Sets ctx->err and returns EINVAL (or CODE). */
int vsctl_error(struct vsctl_ctx *, const char *fmt, ...) VSW_PRINTF(2, 3);
int vsctl_error_code(struct vsctl_ctx *, int code, const char *fmt, ...)
    VSW_PRINTF(3, 4);
/* Reports a sqlite failure as an error sentence. */
int vsctl_sql_error(struct vsctl_ctx *, const char *what);

/* SQL helpers: prepare (aborting on a bug in our own SQL would hide the
 * message, so failures become errors), step, and one-value queries. */
sqlite3_stmt *vsctl_prepare(struct vsctl_ctx *, const char *sql);
/* Runs a statement with no result rows to completion. */
int vsctl_step_done(struct vsctl_ctx *, sqlite3_stmt *);
/* Looks up the id of the row named NAME in TABLE (bridge, port, interface).
 * Returns 0 and *ID, ENOENT (no ctx->err set), or another error. */
int vsctl_find_by_name(struct vsctl_ctx *, const char *table,
                       const char *name, int64_t *id);
/* The name of row ID in TABLE (caller frees), or NULL. */
char *vsctl_name_by_id(struct vsctl_ctx *, const char *table, int64_t id);

/* Checks NAME as a bridge/port/interface name; WHAT is "bridge", ... */
int vsctl_check_name(struct vsctl_ctx *, const char *what, const char *name);

/* Remembers a new interface for --wait's error report. */
void vsctl_note_new_iface(struct vsctl_ctx *, const char *name);

/* ------------------------------------------------------------------------
 * Values (vsctl-value.c).
 * ------------------------------------------------------------------------ */

/* Whether S can be printed bare (ovsdb style): a letter or '_' first, then
 * letters, digits, '_', '-', '.', and not "true"/"false". */
bool vsctl_string_is_bare(const char *s);
/* Appends S bare if it can be, else as a quoted JSON string. */
void vsctl_put_string(struct ds *, const char *s);

/* Parses an operator value: a "quoted string" (JSON escapes) or the text
 * as is.  Returns a new string, or NULL with *ERRMSG (static) set. */
char *vsctl_parse_string(const char *text, const char **errmsg);

/* Splits "{k=v, k2="v,2"}" (braces optional) into MAP.  Returns NULL or a
 * static error message. */
const char *vsctl_parse_map(const char *text, struct vsdb_smap *map);
/* Splits "[a, b]" / "a,b" / "a" / "[]" into a string list. */
const char *vsctl_parse_list(const char *text, char ***items, size_t *n);
void vsctl_free_list(char **items, size_t n);

/* Splits "COLUMN[:KEY][=VALUE]" (also "!=" when NE is nonnull).  Returns
 * NULL or a static error.  Outputs are new strings (KEY, VALUE may be
 * NULL when absent). */
const char *vsctl_parse_column_arg(const char *arg, char **column, char **key,
                                   char **value, bool *ne);

/* Output in JSON of a map (VALUES_ARE_INTS: numbers, else strings). */
void vsctl_put_json_map(struct ds *, const struct vsdb_smap *,
                        bool values_are_ints);
/* Text "{k=v, k2=v2}". */
void vsctl_put_text_map(struct ds *, const struct vsdb_smap *,
                        bool values_are_ints);

#endif
