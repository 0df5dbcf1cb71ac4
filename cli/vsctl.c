/* vsctl: the operator's command-line tool, in the manner of ovs-vsctl.
 *
 *   vsctl [--db=FILE] [--rundir=DIR] [--wait | --no-wait] [--timeout=SECS]
 *         [--format=text|json] [--bare] [--dry-run] COMMAND [ARG...]
 *         [-- COMMAND ...]
 *
 * Database commands (everything but the runtime ones) run in ONE sqlite
 * transaction for the whole `--` chain: either every command applies or
 * none does, and nothing is printed unless the transaction committed.  A
 * transaction that changed anything increments global.next_cfg; vsctl then
 * (with --wait, or by default when vswitchd is running) pokes vswitchd's
 * control socket and waits until global.cur_cfg reaches that number.
 *
 * Runtime commands (dump-dp-flows, fdb-show, pmd-stats-show, trace, ...)
 * are not about the database: their argv goes to vswitchd over the control
 * socket (include/vswitch/ctl-proto.h) and the reply is printed as is. */
#include <config.h>
#include "cli/vsctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/rule.h"
#include "utilities/ctl-client.h"
#include "utilities/util.h"
#include "vswitch/ctl-proto.h"

/* ------------------------------------------------------------------------
 * Helpers shared with the other vsctl files (declared in vsctl.h).
 * ------------------------------------------------------------------------ */

int
vsctl_error(struct vsctl_ctx *ctx, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    struct ds ds = DS_EMPTY;
    ds_put_vformat(&ds, fmt, args);
    va_end(args);
    vsw_error_set(ctx->err, EINVAL, "%s", ds_cstr(&ds));
    ds_destroy(&ds);
    return EINVAL;
}

int
vsctl_error_code(struct vsctl_ctx *ctx, int code, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    struct ds ds = DS_EMPTY;
    ds_put_vformat(&ds, fmt, args);
    va_end(args);
    vsw_error_set(ctx->err, code, "%s", ds_cstr(&ds));
    ds_destroy(&ds);
    return code;
}

int
vsctl_sql_error(struct vsctl_ctx *ctx, const char *what)
{
    return vsctl_error_code(ctx, EIO, "%s: %s", what,
                            sqlite3_errmsg(ctx->sql));
}

sqlite3_stmt *
vsctl_prepare(struct vsctl_ctx *ctx, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(ctx->sql, sql, -1, &stmt, NULL) != SQLITE_OK) {
        vsctl_sql_error(ctx, "preparing a query");
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

int
vsctl_step_done(struct vsctl_ctx *ctx, sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    int error = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        error = vsctl_sql_error(ctx, "writing the database");
    }
    sqlite3_finalize(stmt);
    return error;
}

int
vsctl_find_by_name(struct vsctl_ctx *ctx, const char *table,
                   const char *name, int64_t *id)
{
    char *sql = xasprintf("SELECT id FROM %s WHERE name = ?1", table);
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    free(sql);
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(stmt);
    int error = 0;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(stmt, 0);
    } else if (rc == SQLITE_DONE) {
        error = ENOENT;
    } else {
        error = vsctl_sql_error(ctx, "looking up a name");
    }
    sqlite3_finalize(stmt);
    return error;
}

char *
vsctl_name_by_id(struct vsctl_ctx *ctx, const char *table, int64_t id)
{
    char *sql = xasprintf("SELECT name FROM %s WHERE id = ?1", table);
    sqlite3_stmt *stmt = vsctl_prepare(ctx, sql);
    free(sql);
    if (!stmt) {
        return NULL;
    }
    sqlite3_bind_int64(stmt, 1, id);
    char *name = NULL;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        name = xstrdup((const char *) sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return name;
}

int
vsctl_check_name(struct vsctl_ctx *ctx, const char *what, const char *name)
{
    if (!vsw_rule_port_name_ok(name)) {
        return vsctl_error(ctx, "'%s' is not a valid %s name (1 to %d "
                           "characters from letters, digits, '-', '_' and "
                           "'.')", name, what, VSW_RULE_PORT_NAME_MAX - 1);
    }
    return 0;
}

void
vsctl_note_new_iface(struct vsctl_ctx *ctx, const char *name)
{
    *ctx->new_ifaces = xrealloc(*ctx->new_ifaces,
                                (*ctx->n_new_ifaces + 1) * sizeof **ctx->new_ifaces);
    (*ctx->new_ifaces)[(*ctx->n_new_ifaces)++] = xstrdup(name);
}

/* ------------------------------------------------------------------------
 * Command table.
 * ------------------------------------------------------------------------ */

/* Runtime commands: answered by vswitchd, which checks their arguments. */
static const struct vsctl_command runtime_commands[] = {
    { "dump-dp-flows", 0, 1, "[BR]", "", NULL, VSCTL_RUNTIME,
      "print the flows installed in the datapath (dpctl style)" },
    { "dp-show", 0, 1, "[BR]", "", NULL, VSCTL_RUNTIME,
      "print the datapaths with their ports and statistics" },
    { "fdb-show", 1, 1, "BR", "", NULL, VSCTL_RUNTIME,
      "print BR's learned MAC table" },
    { "fdb-flush", 0, 1, "[BR]", "", NULL, VSCTL_RUNTIME,
      "forget the learned MACs (of BR)" },
    { "upcall-show", 0, 0, "", "", NULL, VSCTL_RUNTIME,
      "print upcall handling statistics" },
    { "trace", 2, 3, "BR FLOW [--generate]", "", NULL, VSCTL_RUNTIME,
      "show how a packet would be handled; --generate also learns" },
    { "revalidate", 0, 1, "[BR]", "", NULL, VSCTL_RUNTIME,
      "re-check every installed datapath flow now" },
    { "version", 0, 0, "", "", NULL, VSCTL_RUNTIME,
      "print the versions of vsctl and of the running vswitchd" },
    { "pmd-stats-show", 0, 1, "[BR]", "", NULL, VSCTL_RUNTIME,
      "print per-PMD packet statistics (dpdk engine)" },
    { "pmd-stats-clear", 0, 1, "[BR]", "", NULL, VSCTL_RUNTIME,
      "reset per-PMD statistics" },
    { "pmd-rxq-show", 0, 1, "[BR]", "", NULL, VSCTL_RUNTIME,
      "print the rx queue to PMD assignment" },
    { "pmd-rxq-rebalance", 0, 1, "[BR]", "", NULL, VSCTL_RUNTIME,
      "reassign rx queues to PMDs" },
    { NULL, 0, 0, NULL, NULL, NULL, 0, NULL },
};

static const struct vsctl_command *const command_tables[] = {
    vsctl_db_commands, vsctl_flow_commands, runtime_commands,
};

static const struct vsctl_command *
find_command(const char *name)
{
    for (size_t t = 0; t < ARRAY_SIZE(command_tables); t++) {
        for (const struct vsctl_command *c = command_tables[t]; c->name; c++) {
            if (!strcmp(c->name, name)) {
                return c;
            }
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------------
 * Options.
 * ------------------------------------------------------------------------ */

enum wait_mode {
    WAIT_AUTO,          /* wait when vswitchd is running */
    WAIT_YES,           /* --wait: wait, fail if vswitchd is not running */
    WAIT_NO,            /* --no-wait */
};

struct global_opts {
    const char *db;
    const char *rundir;
    enum wait_mode wait;
    int timeout_s;              /* 0: no limit */
    enum vsctl_format format;
    bool bare;                  /* --bare (text format only) */
    bool dry_run;
};

struct parsed_cmd {
    const struct vsctl_command *cmd;
    struct vsctl_cmd_opts opts;
    char *opt_names;            /* per-command options given, for checking */
    int argc;
    char **argv;
};

static void VSW_NORETURN
usage(void)
{
    printf("%s: configure vswitch (database, rules) and query vswitchd\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND "
           "[ARG...]]...\n\n", vsw_program_name(), vsw_program_name());
    static const char *const titles[] = {
        "Bridges, ports, interfaces and tables (one transaction for the "
        "whole chain)",
        "Rules (ovs-ofctl syntax: table=0,priority=100,in_port=p1,ip,"
        "nw_dst=10.0.0.0/24,actions=output:p2)",
        "Runtime commands (answered by vswitchd over its control socket)",
    };
    for (size_t t = 0; t < ARRAY_SIZE(command_tables); t++) {
        printf("%s:\n", titles[t]);
        for (const struct vsctl_command *c = command_tables[t]; c->name; c++) {
            char *syn = xasprintf("%s%s%s%s%s", c->options[0] ? "[" : "",
                                  c->options, c->options[0] ? "] " : "",
                                  c->name, "");
            char *full = xasprintf("%s%s%s", syn, c->usage[0] ? " " : "",
                                   c->usage);
            if (strlen(full) > 44) {
                printf("  %s\n  %-44s %s\n", full, "", c->help);
            } else {
                printf("  %-44s %s\n", full, c->help);
            }
            free(syn);
            free(full);
        }
        printf("\n");
    }
    printf("Tables for list/find/get/set/add/remove/clear: bridge, port, "
           "interface, global\n"
           "(record '.'); records are named.  Values: words or \"quoted "
           "strings\",\n{KEY=VALUE, ...} maps, [A, B] lists, [] for empty.\n"
           "\n"
           "Options:\n"
           "  --db=FILE          database (default %s, or $VSWITCH_DB)\n"
           "  --rundir=DIR       vswitchd's run directory (default %s, or\n"
           "                     $VSWITCH_RUNDIR)\n"
           "  --wait             after a change, wait until vswitchd applied "
           "it; fail at\n"
           "                     once if vswitchd is not running\n"
           "  --no-wait          do not wait (by default vsctl waits only "
           "when vswitchd\n"
           "                     is running)\n"
           "  --timeout=SECS     limit for --wait, database locks and runtime "
           "commands\n"
           "                     (default 10, 0 = none)\n"
           "  --format=text|json output format of every listing\n"
           "  --bare             list and find print values only, one per "
           "line, a blank\n"
           "                     line between records (for scripts)\n"
           "  --dry-run          run the commands but do not commit\n"
           "  --may-exist, --if-exists, --strict, --columns=COL,...\n"
           "                     per-command options (before or right after "
           "the command)\n"
           "  -h, --help         this help;  -V, --version  version\n"
           "\nExit status: 0 success, 1 error, 2 not found (br-exists, or as "
           "vswitchd says).\n", VSDB_DEFAULT_DB, VSDB_DEFAULT_RUNDIR);
    exit(0);
}

static void VSW_NORETURN
die(const char *fmt, ...) VSW_PRINTF(1, 2);

static void
die(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "%s: ", vsw_program_name());
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

/* Splits "--name=value" into NAME and VALUE; a value-taking option
 * without '=' takes the next argument. */
static bool
option_value(const char *arg, const char *name, int *i, int argc,
             char *argv[], const char **value)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n)) {
        return false;
    }
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return true;
    } else if (!arg[n]) {
        if (*i + 1 >= argc) {
            die("option '%s' needs a value", name);
        }
        *value = argv[++*i];
        return true;
    }
    return false;
}

/* Handles option ARGV[*I] (global or per-command).  Returns false if it is
 * not an option at all. */
static bool
parse_option(int *i, int argc, char *argv[], struct global_opts *g,
             struct parsed_cmd *pc)
{
    const char *arg = argv[*i];
    const char *v;
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
        usage();
    } else if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
        printf("vsctl (vswitch) %s\ndatabase schema version %d\n",
               PACKAGE_VERSION, VSDB_SCHEMA_VERSION);
        exit(0);
    } else if (option_value(arg, "--db", i, argc, argv, &v)) {
        g->db = v;
    } else if (option_value(arg, "--rundir", i, argc, argv, &v)) {
        g->rundir = v;
    } else if (!strcmp(arg, "--wait")) {
        g->wait = WAIT_YES;
    } else if (!strcmp(arg, "--no-wait")) {
        g->wait = WAIT_NO;
    } else if (option_value(arg, "--timeout", i, argc, argv, &v)
               || (!strcmp(arg, "-t") && option_value(arg, "-t", i, argc,
                                                     argv, &v))) {
        unsigned long long t;
        if (!vsw_parse_uint(v, 0, 86400, &t)) {
            die("--timeout: '%s' is not a number of seconds (0 to 86400)", v);
        }
        g->timeout_s = t;
    } else if (option_value(arg, "--format", i, argc, argv, &v)
               || (!strcmp(arg, "-f") && option_value(arg, "-f", i, argc,
                                                     argv, &v))) {
        if (!strcmp(v, "text") || !strcmp(v, "table")) {
            g->format = VSCTL_FMT_TEXT;
        } else if (!strcmp(v, "json")) {
            g->format = VSCTL_FMT_JSON;
        } else {
            die("--format: '%s' is not text or json", v);
        }
    } else if (!strcmp(arg, "--bare")) {
        g->bare = true;
    } else if (!strcmp(arg, "--dry-run")) {
        g->dry_run = true;
    } else if (!strcmp(arg, "--may-exist") || !strcmp(arg, "--if-exists")
               || !strcmp(arg, "--strict")
               || !strncmp(arg, "--columns=", 10)) {
        if (arg[2] == 'm') {
            pc->opts.may_exist = true;
        } else if (arg[2] == 'i') {
            pc->opts.if_exists = true;
        } else if (arg[2] == 's') {
            pc->opts.strict = true;
        } else {
            free(pc->opts.columns);
            pc->opts.columns = xstrdup(arg + 10);
        }
        size_t n = strcspn(arg, "=");
        char *name = xmemdup(arg, n + 1);
        name[n] = '\0';
        char *all = xasprintf("%s%s%s", pc->opt_names ? pc->opt_names : "",
                              pc->opt_names ? " " : "", name);
        free(pc->opt_names);
        free(name);
        pc->opt_names = all;
    } else if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
        die("unknown option '%s' (see %s --help)", arg, vsw_program_name());
    } else {
        return false;
    }
    return true;
}

/* Checks that every per-command option given is one PC's command takes. */
static void
check_cmd_options(const struct parsed_cmd *pc)
{
    if (!pc->opt_names) {
        return;
    }
    char *copy = xstrdup(pc->opt_names);
    char *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        const char *allowed = pc->cmd->options;
        size_t n = strlen(tok);
        const char *p = strstr(allowed, tok);
        if (!p || (p[n] && p[n] != ' ')) {
            die("'%s' command has no '%s' option", pc->cmd->name, tok);
        }
    }
    free(copy);
}

/* Parses the command line into global options and the chain of commands. */
static struct parsed_cmd *
parse_command_line(int argc, char *argv[], struct global_opts *g,
                   size_t *n_cmds)
{
    struct parsed_cmd *cmds = NULL;
    size_t n = 0;
    int i = 1;
    while (i < argc) {
        struct parsed_cmd pc;
        memset(&pc, 0, sizeof pc);

        /* Options before the command name. */
        while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--")
               && parse_option(&i, argc, argv, g, &pc)) {
            i++;
        }
        if (i < argc && !strcmp(argv[i], "--")) {
            i++;
            if (pc.opt_names) {
                die("options %s are not followed by a command",
                    pc.opt_names);
            }
            continue;
        }
        if (i >= argc) {
            if (pc.opt_names) {
                die("options %s are not followed by a command",
                    pc.opt_names);
            }
            break;
        }
        const char *name = argv[i++];
        pc.cmd = find_command(name);
        if (!pc.cmd) {
            die("unknown command '%s'; use --help for help", name);
        }

        /* Arguments (runtime commands take theirs verbatim). */
        pc.argv = xcalloc(argc, sizeof *pc.argv);
        for (; i < argc && strcmp(argv[i], "--"); i++) {
            if (pc.cmd->mode != VSCTL_RUNTIME && argv[i][0] == '-'
                && argv[i][1] == '-'
                && parse_option(&i, argc, argv, g, &pc)) {
                continue;
            }
            pc.argv[pc.argc++] = argv[i];
        }
        if (i < argc) {
            i++;                /* "--" */
        }
        check_cmd_options(&pc);
        if (pc.argc < pc.cmd->min_args
            || (pc.cmd->max_args >= 0 && pc.argc > pc.cmd->max_args)) {
            die("'%s' takes %s%s%s (got %d argument%s)", pc.cmd->name,
                pc.cmd->usage[0] ? "arguments " : "no arguments",
                pc.cmd->usage, "", pc.argc, pc.argc == 1 ? "" : "s");
        }
        cmds = xrealloc(cmds, (n + 1) * sizeof *cmds);
        cmds[n++] = pc;
    }
    if (!n) {
        die("missing command name (use --help for help)");
    }
    *n_cmds = n;
    return cmds;
}

/* ------------------------------------------------------------------------
 * Runtime commands.
 * ------------------------------------------------------------------------ */

static int
timeout_ms(const struct global_opts *g)
{
    return g->timeout_s ? g->timeout_s * 1000 : 0;
}

static int
run_runtime(const struct global_opts *g, const struct parsed_cmd *pc)
{
    char **args = xcalloc(pc->argc + 2, sizeof *args);
    int n = 0;
    args[n++] = (char *) pc->cmd->name;
    for (int i = 0; i < pc->argc; i++) {
        args[n++] = pc->argv[i];
    }
    if (g->format == VSCTL_FMT_JSON) {
        args[n++] = "--format=json";
    }

    int status;
    char *reply;
    size_t len;
    struct vsw_error err = { 0 };
    int error = vsw_ctl_call(g->rundir, n, args, timeout_ms(g), &status,
                             &reply, &len, &err);
    free(args);
    if (error) {
        bool absent = error == ENOENT || error == ECONNREFUSED;
        if (absent && !strcmp(pc->cmd->name, "version")) {
            if (g->format == VSCTL_FMT_JSON) {
                printf("{\"program\":\"vsctl\",\"version\":\"%s\","
                       "\"schema_version\":%d,\"vswitchd\":null}\n",
                       PACKAGE_VERSION, VSDB_SCHEMA_VERSION);
            } else {
                printf("vsctl (vswitch) %s\ndatabase schema version %d\n"
                       "vswitchd: not running\n", PACKAGE_VERSION,
                       VSDB_SCHEMA_VERSION);
            }
            return 0;
        }
        fprintf(stderr, "%s: %s\n", vsw_program_name(), err.msg);
        return 1;
    }
    if (!status) {
        if (!strcmp(pc->cmd->name, "version")
            && g->format != VSCTL_FMT_JSON) {
            printf("vsctl (vswitch) %s\n", PACKAGE_VERSION);
        }
        fwrite(reply, 1, len, stdout);
    } else {
        /* One line of error text; vsctl's own prefix like its errors. */
        while (len && (reply[len - 1] == '\n')) {
            reply[--len] = '\0';
        }
        fprintf(stderr, "%s: %s\n", vsw_program_name(),
                len ? reply : "vswitchd reported an error");
    }
    free(reply);
    return status;
}

/* ------------------------------------------------------------------------
 * --wait
 * ------------------------------------------------------------------------ */

static void
sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

/* Pokes vswitchd and waits for cur_cfg >= NEXT_CFG.  Returns the exit
 * status. */
static int
wait_for_vswitchd(const struct global_opts *g, struct vsdb *db,
                  int64_t next_cfg, char **new_ifaces, size_t n_new_ifaces)
{
    uint64_t start = vsw_time_msec();
    char *poke[] = { "poke" };
    int status;
    char *reply;
    struct vsw_error err = { 0 };
    int error = vsw_ctl_call(g->rundir, 1, poke, timeout_ms(g), &status,
                             &reply, NULL, &err);
    if (error == ENOENT || error == ECONNREFUSED) {
        if (g->wait == WAIT_AUTO) {
            return 0;           /* nothing to wait for */
        }
        fprintf(stderr, "%s: %s; the change is saved and applies when it "
                "starts\n", vsw_program_name(), err.msg);
        return 1;
    } else if (error) {
        fprintf(stderr, "%s: %s; the change is saved\n", vsw_program_name(),
                err.msg);
        return 1;
    }
    free(reply);
    if (status) {
        fprintf(stderr, "%s: vswitchd refused the poke (status %d); the "
                "change is saved\n", vsw_program_name(), status);
        return 1;
    }

    int delay = 5;
    int64_t cur = -1;
    for (;;) {
        error = vsdb_get_cfg(db, NULL, &cur, &err);
        if (error) {
            fprintf(stderr, "%s: %s\n", vsw_program_name(), err.msg);
            return 1;
        }
        if (cur >= next_cfg) {
            break;
        }
        if (g->timeout_s
            && vsw_time_msec() - start >= (uint64_t) g->timeout_s * 1000) {
            fprintf(stderr, "%s: timed out after %d s waiting for vswitchd to "
                    "apply configuration %"PRId64" (it has applied %"PRId64
                    "); the change is saved\n", vsw_program_name(),
                    g->timeout_s, next_cfg, cur);
            return 1;
        }
        sleep_ms(delay);
        delay = VSW_MIN(delay * 2, 100);
    }

    /* Like ovs-vsctl: tell about interfaces this change could not set up. */
    for (size_t i = 0; i < n_new_ifaces; i++) {
        sqlite3_stmt *stmt;
        if (sqlite3_prepare_v2(vsdb_sqlite(db), "SELECT error FROM interface "
                               "WHERE name = ?1", -1, &stmt, NULL)
            != SQLITE_OK) {
            continue;
        }
        sqlite3_bind_text(stmt, 1, new_ifaces[i], -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) == SQLITE_ROW
            && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
            fprintf(stderr, "%s: error detected while setting up '%s': %s\n",
                    vsw_program_name(), new_ifaces[i],
                    (const char *) sqlite3_column_text(stmt, 0));
        }
        sqlite3_finalize(stmt);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------------ */

static void
free_cmds(struct parsed_cmd *cmds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cmds[i].argv);
        free(cmds[i].opts.columns);
        free(cmds[i].opt_names);
    }
    free(cmds);
}

int
main(int argc, char *argv[])
{
    vsw_set_program_name(argv[0]);

    struct global_opts g = {
        .db = getenv("VSWITCH_DB"),
        .rundir = getenv("VSWITCH_RUNDIR"),
        .wait = WAIT_AUTO,
        .timeout_s = 10,
        .format = VSCTL_FMT_TEXT,
    };
    if (!g.db || !*g.db) {
        g.db = VSDB_DEFAULT_DB;
    }
    if (!g.rundir || !*g.rundir) {
        g.rundir = VSDB_DEFAULT_RUNDIR;
    }

    size_t n_cmds;
    struct parsed_cmd *cmds = parse_command_line(argc, argv, &g, &n_cmds);

    /* Runtime commands talk to vswitchd alone. */
    bool any_write = false;
    for (size_t i = 0; i < n_cmds; i++) {
        if (cmds[i].cmd->mode == VSCTL_RUNTIME) {
            if (n_cmds > 1) {
                die("runtime command '%s' cannot be chained with other "
                    "commands", cmds[i].cmd->name);
            }
            int status = run_runtime(&g, &cmds[0]);
            free_cmds(cmds, n_cmds);
            return status;
        }
        any_write |= cmds[i].cmd->mode == VSCTL_RW;
    }

    struct vsw_error err = { 0 };
    struct vsdb *db;
    if (vsdb_open(g.db, VSDB_OPEN_CREATE, &db, &err)) {
        die("%s", err.msg);
    }
    vsdb_set_busy_timeout(db, g.timeout_s ? g.timeout_s * 1000 : 86400000);
    if (vsdb_begin(db, any_write ? VSDB_TXN_WRITE : VSDB_TXN_READ, &err)) {
        die("%s", err.msg);
    }

    struct ds *outs = xcalloc(n_cmds, sizeof *outs);
    char **new_ifaces = NULL;
    size_t n_new_ifaces = 0;
    bool changed = false;
    int status = 0;
    for (size_t i = 0; i < n_cmds && !status; i++) {
        struct vsctl_ctx ctx = {
            .db = db,
            .sql = vsdb_sqlite(db),
            .format = g.format,
            .bare = g.bare,
            .opts = cmds[i].opts,
            .out = &outs[i],
            .err = &err,
            .new_ifaces = &new_ifaces,
            .n_new_ifaces = &n_new_ifaces,
        };
        int error = cmds[i].cmd->run(&ctx, cmds[i].argc, cmds[i].argv);
        changed |= ctx.changed;
        if (error) {
            fprintf(stderr, "%s: %s\n", vsw_program_name(),
                    err.msg[0] ? err.msg : strerror(error));
            status = 1;
        } else if (ctx.exit_status) {
            status = ctx.exit_status;
        }
    }

    int64_t next_cfg = 0;
    if (!status && changed) {
        if (vsdb_bump_next_cfg(db, &next_cfg, &err)) {
            fprintf(stderr, "%s: %s\n", vsw_program_name(), err.msg);
            status = 1;
        }
    }
    if (status || g.dry_run) {
        vsdb_rollback(db);
    } else if (vsdb_commit(db, &err)) {
        fprintf(stderr, "%s: %s\n", vsw_program_name(), err.msg);
        status = 1;
    }

    if (!status) {
        /* Print what the commands produced; several JSON documents are
         * wrapped in one array so that the output stays one document. */
        size_t n_out = 0;
        for (size_t i = 0; i < n_cmds; i++) {
            n_out += outs[i].len > 0;
        }
        bool wrap = g.format == VSCTL_FMT_JSON && n_out > 1;
        if (wrap) {
            fputs("[", stdout);
        }
        size_t k = 0;
        for (size_t i = 0; i < n_cmds; i++) {
            if (outs[i].len) {
                if (wrap && k++) {
                    fputs(",", stdout);
                }
                fputs(ds_cstr(&outs[i]), stdout);
            }
        }
        if (wrap) {
            fputs("]\n", stdout);
        }
        fflush(stdout);

        if (changed && !g.dry_run && g.wait != WAIT_NO) {
            status = wait_for_vswitchd(&g, db, next_cfg, new_ifaces,
                                       n_new_ifaces);
        }
    }

    for (size_t i = 0; i < n_cmds; i++) {
        ds_destroy(&outs[i]);
    }
    free(outs);
    vsctl_free_list(new_ifaces, n_new_ifaces);
    free_cmds(cmds, n_cmds);
    vsdb_close(db);
    return status;
}
