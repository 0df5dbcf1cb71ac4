/* libFuzzer target for the ovs-ofctl rule syntax (db/rule.c), the parser
 * every `vsctl add-flow` argument and every stored rule goes through.
 *
 * The input, made a C string, is parsed in each mode.  A refusal must come
 * with EINVAL and a message; a rule that parses must print canonically as
 * text that parses back to the same match and the same actions text. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what, const char *text, const char *out)
{
    fprintf(stderr, "fuzz-rule-parse: %s\n  input: %s\n  output: %s\n",
            what, text, out ? out : "");
    abort();
}

/* The canonical text of SPEC, as vsctl stores it. */
static void
format_rule(const struct vsw_rule_spec *spec, bool with_actions, struct ds *s)
{
    ds_put_format(s, "table=%u,priority=%u", spec->table, spec->priority);
    struct ds m = DS_EMPTY;
    vsw_match_format(&spec->match, &m);
    if (m.len) {
        ds_put_format(s, ",%s", ds_cstr(&m));
    }
    ds_destroy(&m);
    if (with_actions) {
        ds_put_cstr(s, ",actions=");
        vsw_ofactions_format(&spec->actions, s);
    }
}

static void
try_mode(const char *text, enum vsw_rule_parse_mode mode)
{
    bool with_actions = mode != VSW_RULE_PARSE_MATCH;
    struct vsw_rule_spec *a = calloc(1, sizeof *a);
    struct vsw_rule_spec *b = calloc(1, sizeof *b);
    struct ds s1 = DS_EMPTY, s2 = DS_EMPTY;
    struct vsw_error err;
    int error;

    memset(&err, 0, sizeof err);
    error = vsw_rule_parse(text, mode, a, &err);
    if (error) {
        if (error != EINVAL || !err.msg[0]) {
            die("refusal without EINVAL and a message", text, err.msg);
        }
        goto out;
    }
    format_rule(a, with_actions, &s1);
    memset(&err, 0, sizeof err);
    if (vsw_rule_parse(ds_cstr(&s1), mode, b, &err)) {
        die(err.msg, text, ds_cstr(&s1));
    }
    if (!vsw_match_equal(&a->match, &b->match)) {
        die("canonical text parses to another match", text, ds_cstr(&s1));
    }
    format_rule(b, with_actions, &s2);
    if (strcmp(ds_cstr(&s1), ds_cstr(&s2))) {
        die("canonical text is not stable", ds_cstr(&s1), ds_cstr(&s2));
    }
out:
    ds_destroy(&s1);
    ds_destroy(&s2);
    free(a);
    free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;

    if (size > 4096) {
        return 0;
    }
    text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    try_mode(text, VSW_RULE_PARSE_ADD);
    try_mode(text, VSW_RULE_PARSE_MATCH);
    free(text);
    return 0;
}
