/* vsctl rule commands in ovs-ofctl syntax: add-flow, add-flows, mod-flows,
 * del-flows, dump-flows.
 *
 * Rules are stored as canonical text (db/rule.h), so comparing two stored
 * matches is a string comparison and "the same rule" means the same bridge,
 * table, priority and canonical match, as OpenFlow's ADD defines it.  The
 * counters in the rule row are written by vswitchd; dump-flows shows them. */
#include <config.h>
#include "cli/vsctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/rule.h"
#include "utilities/util.h"

static int
get_bridge_id(struct vsctl_ctx *ctx, const char *name, int64_t *id)
{
    int error = vsctl_find_by_name(ctx, "bridge", name, id);
    if (error == ENOENT) {
        return vsctl_error_code(ctx, ENOENT, "no bridge named %s", name);
    }
    return error;
}

static int
parse_rule(struct vsctl_ctx *ctx, const char *text,
           enum vsw_rule_parse_mode mode, struct vsw_rule_spec *spec,
           const char *where)
{
    struct vsw_error perr = { 0 };
    if (vsw_rule_parse(text, mode, spec, &perr)) {
        return where ? vsctl_error(ctx, "%s: %s", where, perr.msg)
                     : vsctl_error(ctx, "%s", perr.msg);
    }
    return 0;
}

/* One stored rule, as selected from the database. */
struct stored_rule {
    int64_t id;
    unsigned int table;
    unsigned int priority;
    char *match;
    char *actions;
    uint64_t cookie;
    unsigned int idle_timeout;
    unsigned int hard_timeout;
    uint64_t n_packets;
    uint64_t n_bytes;
    int64_t created_ms;
    struct vsw_match parsed;    /* match parsed back */
};

static void
free_rules(struct stored_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rules[i].match);
        free(rules[i].actions);
    }
    free(rules);
}

/* Reads the rules of bridge BR_ID, by table then descending priority. */
static int
read_rules(struct vsctl_ctx *ctx, int64_t br_id, struct stored_rule **rulesp,
           size_t *np)
{
    *rulesp = NULL;
    *np = 0;
    sqlite3_stmt *stmt = vsctl_prepare(
        ctx, "SELECT id, table_id, priority, \"match\", actions, cookie, "
        "idle_timeout, hard_timeout, n_packets, n_bytes, created_ms "
        "FROM rule WHERE bridge_id = ?1 ORDER BY table_id, priority DESC, id");
    if (!stmt) {
        return EIO;
    }
    sqlite3_bind_int64(stmt, 1, br_id);
    struct stored_rule *rules = NULL;
    size_t n = 0;
    int rc, error = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        rules = xrealloc(rules, (n + 1) * sizeof *rules);
        struct stored_rule *r = &rules[n++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(stmt, 0);
        r->table = sqlite3_column_int(stmt, 1);
        r->priority = sqlite3_column_int(stmt, 2);
        const char *m = (const char *) sqlite3_column_text(stmt, 3);
        const char *a = (const char *) sqlite3_column_text(stmt, 4);
        r->match = xstrdup(m ? m : "");
        r->actions = xstrdup(a ? a : "drop");
        r->cookie = (uint64_t) sqlite3_column_int64(stmt, 5);
        r->idle_timeout = sqlite3_column_int(stmt, 6);
        r->hard_timeout = sqlite3_column_int(stmt, 7);
        r->n_packets = (uint64_t) sqlite3_column_int64(stmt, 8);
        r->n_bytes = (uint64_t) sqlite3_column_int64(stmt, 9);
        r->created_ms = sqlite3_column_int64(stmt, 10);

        struct vsw_rule_spec spec;
        struct vsw_error perr = { 0 };
        if (vsw_rule_parse(r->match, VSW_RULE_PARSE_MATCH, &spec, &perr)) {
            /* Only a hand-edited database gets here. */
            error = vsctl_error(ctx, "stored rule %"PRId64" has a bad match "
                                "'%s': %s", r->id, r->match, perr.msg);
            break;
        }
        r->parsed = spec.match;
    }
    sqlite3_finalize(stmt);
    if (!error && rc != SQLITE_DONE) {
        error = vsctl_sql_error(ctx, "reading rules");
    }
    if (error) {
        free_rules(rules, n);
        return error;
    }
    *rulesp = rules;
    *np = n;
    return 0;
}

/* Whether stored rule R is selected by SPEC (from a MATCH or MODIFY parse):
 * strictly (same priority and match) or not (SPEC's match covers R's). */
static bool
rule_selected(const struct stored_rule *r, const struct vsw_rule_spec *spec,
              bool strict)
{
    if (spec->has_table && r->table != spec->table) {
        return false;
    }
    if ((r->cookie & spec->cookie_mask)
        != (spec->cookie & spec->cookie_mask)) {
        return false;
    }
    if (strict) {
        return r->priority == spec->priority
               && vsw_match_equal(&r->parsed, &spec->match);
    }
    return vsw_match_covers(&spec->match, &r->parsed);
}

/* Adds the rule TEXT to bridge BR_ID (replacing an identical one). */
static int
add_flow(struct vsctl_ctx *ctx, int64_t br_id, const char *text,
         const char *where)
{
    struct vsw_rule_spec spec;
    int error = parse_rule(ctx, text, VSW_RULE_PARSE_ADD, &spec, where);
    if (error) {
        return error;
    }
    struct ds match = DS_EMPTY, actions = DS_EMPTY;
    vsw_match_format(&spec.match, &match);
    vsw_ofactions_format(&spec.actions, &actions);

    /* OpenFlow ADD: an identical rule (table, priority, match) is replaced,
     * counters reset. */
    sqlite3_stmt *stmt = vsctl_prepare(
        ctx, "UPDATE rule SET actions = ?5, cookie = ?6, idle_timeout = ?7, "
        "hard_timeout = ?8, n_packets = 0, n_bytes = 0, created_ms = ?9 "
        "WHERE bridge_id = ?1 AND table_id = ?2 AND priority = ?3 "
        "AND \"match\" = ?4");
    if (!stmt) {
        error = EIO;
        goto out;
    }
    for (int pass = 0; pass < 2 && !error; pass++) {
        sqlite3_bind_int64(stmt, 1, br_id);
        sqlite3_bind_int(stmt, 2, spec.table);
        sqlite3_bind_int(stmt, 3, spec.priority);
        sqlite3_bind_text(stmt, 4, ds_cstr(&match), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 5, ds_cstr(&actions), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 6, (int64_t) spec.cookie);
        sqlite3_bind_int(stmt, 7, spec.idle_timeout);
        sqlite3_bind_int(stmt, 8, spec.hard_timeout);
        sqlite3_bind_int64(stmt, 9, (int64_t) vsw_time_wall_msec());
        error = vsctl_step_done(ctx, stmt);
        if (error || pass || sqlite3_changes(ctx->sql)) {
            break;
        }
        stmt = vsctl_prepare(
            ctx, "INSERT INTO rule (bridge_id, table_id, priority, \"match\", "
            "actions, cookie, idle_timeout, hard_timeout, created_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        if (!stmt) {
            error = EIO;
        }
    }
    ctx->changed = true;

out:
    ds_destroy(&match);
    ds_destroy(&actions);
    return error;
}

static int
cmd_add_flow(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t br_id;
    int error = get_bridge_id(ctx, argv[0], &br_id);
    return error ? error : add_flow(ctx, br_id, argv[1], NULL);
}

static int
cmd_add_flows(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t br_id;
    int error = get_bridge_id(ctx, argv[0], &br_id);
    if (error) {
        return error;
    }
    const char *file = argv[1];
    FILE *stream = strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!stream) {
        return vsctl_error(ctx, "cannot open %s: %s", file, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    while (!error && (len = getline(&line, &cap, stream)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }
        const char *p = line + strspn(line, " \t");
        if (!*p || *p == '#') {
            continue;
        }
        char where[64];
        snprintf(where, sizeof where, "%.40s:%d", file, lineno);
        error = add_flow(ctx, br_id, p, where);
    }
    free(line);
    if (stream != stdin) {
        fclose(stream);
    }
    return error;
}

static int
cmd_mod_flows(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t br_id;
    int error = get_bridge_id(ctx, argv[0], &br_id);
    if (error) {
        return error;
    }
    struct vsw_rule_spec spec;
    error = parse_rule(ctx, argv[1], VSW_RULE_PARSE_MODIFY, &spec, NULL);
    if (error) {
        return error;
    }
    struct ds actions = DS_EMPTY;
    vsw_ofactions_format(&spec.actions, &actions);

    struct stored_rule *rules;
    size_t n;
    error = read_rules(ctx, br_id, &rules, &n);
    for (size_t i = 0; i < n && !error; i++) {
        const struct stored_rule *r = &rules[i];
        if (!rule_selected(r, &spec, ctx->opts.strict)) {
            continue;
        }
        /* The new actions must suit each rule they land in (goto_table
         * after the rule's own table, mod_tp_* on tcp/udp rules...). */
        char *text = xasprintf("table=%u,%s%sactions=%s", r->table, r->match,
                               r->match[0] ? "," : "", ds_cstr(&actions));
        struct vsw_rule_spec check;
        char *where = xasprintf("new actions for rule 'table=%u,priority=%u"
                                "%s%s'", r->table, r->priority,
                                r->match[0] ? "," : "", r->match);
        error = parse_rule(ctx, text, VSW_RULE_PARSE_ADD, &check, where);
        free(where);
        free(text);
        if (error) {
            break;
        }
        sqlite3_stmt *stmt = vsctl_prepare(ctx, "UPDATE rule SET actions = ?2 "
                                           "WHERE id = ?1");
        if (!stmt) {
            error = EIO;
            break;
        }
        sqlite3_bind_int64(stmt, 1, r->id);
        sqlite3_bind_text(stmt, 2, ds_cstr(&actions), -1, SQLITE_TRANSIENT);
        error = vsctl_step_done(ctx, stmt);
        ctx->changed = true;
    }
    free_rules(rules, n);
    ds_destroy(&actions);
    return error;
}

static int
cmd_del_flows(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t br_id;
    int error = get_bridge_id(ctx, argv[0], &br_id);
    if (error) {
        return error;
    }
    if (argc == 1) {
        if (ctx->opts.strict) {
            return vsctl_error(ctx, "del-flows --strict needs a match "
                               "(and priority) to select one rule");
        }
        sqlite3_stmt *stmt = vsctl_prepare(ctx, "DELETE FROM rule "
                                           "WHERE bridge_id = ?1");
        if (!stmt) {
            return EIO;
        }
        sqlite3_bind_int64(stmt, 1, br_id);
        ctx->changed = true;
        return vsctl_step_done(ctx, stmt);
    }

    struct vsw_rule_spec spec;
    error = parse_rule(ctx, argv[1], VSW_RULE_PARSE_MATCH, &spec, NULL);
    if (error) {
        return error;
    }
    struct stored_rule *rules;
    size_t n;
    error = read_rules(ctx, br_id, &rules, &n);
    for (size_t i = 0; i < n && !error; i++) {
        if (!rule_selected(&rules[i], &spec, ctx->opts.strict)) {
            continue;
        }
        sqlite3_stmt *stmt = vsctl_prepare(ctx, "DELETE FROM rule "
                                           "WHERE id = ?1");
        if (!stmt) {
            error = EIO;
            break;
        }
        sqlite3_bind_int64(stmt, 1, rules[i].id);
        error = vsctl_step_done(ctx, stmt);
        ctx->changed = true;
    }
    free_rules(rules, n);
    return error;
}

static int
cmd_dump_flows(struct vsctl_ctx *ctx, int argc, char *argv[])
{
    int64_t br_id;
    int error = get_bridge_id(ctx, argv[0], &br_id);
    if (error) {
        return error;
    }
    struct vsw_rule_spec spec;
    error = parse_rule(ctx, argc > 1 ? argv[1] : "", VSW_RULE_PARSE_MATCH,
                       &spec, NULL);
    if (error) {
        return error;
    }
    struct stored_rule *rules;
    size_t n;
    error = read_rules(ctx, br_id, &rules, &n);
    if (error) {
        return error;
    }

    bool json = ctx->format == VSCTL_FMT_JSON;
    int64_t now = (int64_t) vsw_time_wall_msec();
    struct ds *out = ctx->out;
    size_t shown = 0;
    if (json) {
        ds_put_char(out, '[');
    }
    for (size_t i = 0; i < n; i++) {
        const struct stored_rule *r = &rules[i];
        if (!rule_selected(r, &spec, ctx->opts.strict && argc > 1)) {
            continue;
        }
        double duration = r->created_ms && now > r->created_ms
                          ? (now - r->created_ms) / 1000.0 : 0.0;
        if (json) {
            ds_put_cstr(out, shown ? ",\n {" : "{");
            ds_put_format(out, "\"table\": %u, \"priority\": %u, "
                          "\"cookie\": \"0x%"PRIx64"\", \"duration\": %.3f, "
                          "\"n_packets\": %"PRIu64", \"n_bytes\": %"PRIu64", "
                          "\"idle_timeout\": %u, \"hard_timeout\": %u, "
                          "\"match\": ", r->table, r->priority,
                          r->cookie, duration, r->n_packets, r->n_bytes,
                          r->idle_timeout, r->hard_timeout);
            ds_put_json_string(out, r->match);
            ds_put_cstr(out, ", \"actions\": ");
            ds_put_json_string(out, r->actions);
            ds_put_char(out, '}');
        } else {
            /* ovs-ofctl dump-flows layout. */
            ds_put_format(out, " cookie=0x%"PRIx64", duration=%.3fs, "
                          "table=%u, n_packets=%"PRIu64", n_bytes=%"PRIu64", ",
                          r->cookie, duration, r->table, r->n_packets,
                          r->n_bytes);
            if (r->idle_timeout) {
                ds_put_format(out, "idle_timeout=%u, ", r->idle_timeout);
            }
            if (r->hard_timeout) {
                ds_put_format(out, "hard_timeout=%u, ", r->hard_timeout);
            }
            size_t start = out->len;
            if (r->priority != VSW_RULE_DEFAULT_PRIORITY) {
                ds_put_format(out, "priority=%u", r->priority);
            }
            if (r->match[0]) {
                ds_put_format(out, "%s%s", out->len > start ? "," : "",
                              r->match);
            }
            ds_put_format(out, "%sactions=%s\n", out->len > start ? " " : "",
                          r->actions);
        }
        shown++;
    }
    if (json) {
        ds_put_cstr(out, "]\n");
    }
    free_rules(rules, n);
    return 0;
}

const struct vsctl_command vsctl_flow_commands[] = {
    { "add-flow", 2, 2, "BR FLOW", "", cmd_add_flow, VSCTL_RW,
      "add a rule in ovs-ofctl syntax (replaces an identical one)" },
    { "add-flows", 2, 2, "BR FILE", "", cmd_add_flows, VSCTL_RW,
      "add the rules in FILE (one per line, '-' for stdin)" },
    { "mod-flows", 2, 2, "BR FLOW", "--strict", cmd_mod_flows, VSCTL_RW,
      "give the rules that FLOW's match selects FLOW's actions" },
    { "del-flows", 1, 2, "BR [MATCH]", "--strict", cmd_del_flows, VSCTL_RW,
      "delete the rules MATCH selects (all without MATCH)" },
    { "dump-flows", 1, 2, "BR [MATCH]", "--strict", cmd_dump_flows,
      VSCTL_RO, "print the rules (with counters from vswitchd)" },
    { NULL, 0, 0, NULL, NULL, NULL, 0, NULL },
};
