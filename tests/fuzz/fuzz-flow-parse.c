/* libFuzzer target for the text parsers: flow keys (vsw_flow_key_parse)
 * and action lists (vsw_actions_parse).
 *
 * The input, made a C string, is tried as a masked key, an exact key and an
 * action list.  Whatever parses must print as text that parses back to the
 * same bytes; whatever is refused must come with a message. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what, const char *text, const char *out)
{
    fprintf(stderr, "fuzz-flow-parse: %s\n  input: %s\n  output: %s\n",
            what, text, out ? out : "");
    abort();
}

static void
check_refusal(int error, const struct vsw_error *err, const char *text)
{
    if (error != EINVAL || err->code != EINVAL || !err->msg[0]) {
        die("refusal without EINVAL and a message", text, err->msg);
    }
}

static void
try_key(const char *text)
{
    struct vsw_flow_key key, mask, key2, mask2;
    struct vsw_error err;
    struct ds s = DS_EMPTY;
    int error;

    /* Masked: format(key, mask) parses back to the same pair. */
    error = vsw_flow_key_parse(text, &key, &mask, &err);
    if (error) {
        check_refusal(error, &err, text);
    } else {
        vsw_flow_key_format(&key, &mask, &s);
        if (vsw_flow_key_parse(ds_cstr(&s), &key2, &mask2, &err)) {
            die(err.msg, text, ds_cstr(&s));
        }
        if (memcmp(&key, &key2, sizeof key)
            || memcmp(&mask, &mask2, sizeof mask)) {
            die("masked key does not round trip", text, ds_cstr(&s));
        }
    }

    /* Exact: format(key, NULL) parses back to the same key. */
    ds_clear(&s);
    error = vsw_flow_key_parse(text, &key, NULL, &err);
    if (error) {
        check_refusal(error, &err, text);
    } else {
        vsw_flow_key_format(&key, NULL, &s);
        if (vsw_flow_key_parse(ds_cstr(&s), &key2, NULL, &err)) {
            die(err.msg, text, ds_cstr(&s));
        }
        if (memcmp(&key, &key2, sizeof key)) {
            die("exact key does not round trip", text, ds_cstr(&s));
        }
    }
    ds_destroy(&s);
}

static void
try_actions(const char *text)
{
    struct vsw_actions a, b;
    struct vsw_error err;
    struct ds s = DS_EMPTY;
    int error;

    error = vsw_actions_parse(text, &a, &err);
    if (error) {
        check_refusal(error, &err, text);
        return;
    }
    vsw_actions_format(&a, &s);
    if (vsw_actions_parse(ds_cstr(&s), &b, &err)) {
        die(err.msg, text, ds_cstr(&s));
    }
    if (memcmp(&a, &b, sizeof a)) {
        die("actions do not round trip", text, ds_cstr(&s));
    }
    ds_destroy(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);

    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    try_key(text);
    try_actions(text);
    free(text);
    return 0;
}
