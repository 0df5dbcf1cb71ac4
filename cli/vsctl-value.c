/* vsctl values: the operator's text syntax (ovs-vsctl style: bare words or
 * "quoted strings", {k=v, ...} maps, [a, b] lists) and their text and JSON
 * output. */
#include <config.h>
#include "cli/vsctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utilities/util.h"

bool
vsctl_string_is_bare(const char *s)
{
    if (!*s || !(isalpha((unsigned char) *s) || *s == '_')) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char) *p) && !strchr("_-.", *p)) {
            return false;
        }
    }
    return strcmp(s, "true") && strcmp(s, "false");
}

void
vsctl_put_string(struct ds *ds, const char *s)
{
    if (vsctl_string_is_bare(s)) {
        ds_put_cstr(ds, s);
    } else {
        ds_put_json_string(ds, s);
    }
}

/* Parses a JSON string literal starting at *P (at the opening quote),
 * advancing *P past the closing quote.  Returns the string or NULL. */
static char *
parse_quoted(const char **p, const char **errmsg)
{
    const char *s = *p + 1;
    struct ds ds = DS_EMPTY;
    ds_put_cstr(&ds, "");
    for (;;) {
        char c = *s++;
        if (!c) {
            *errmsg = "missing closing quote";
            ds_destroy(&ds);
            return NULL;
        } else if (c == '"') {
            break;
        } else if (c == '\\') {
            c = *s++;
            switch (c) {
            case '"': case '\\': case '/': ds_put_char(&ds, c); break;
            case 'n': ds_put_char(&ds, '\n'); break;
            case 't': ds_put_char(&ds, '\t'); break;
            case 'r': ds_put_char(&ds, '\r'); break;
            case 'b': ds_put_char(&ds, '\b'); break;
            case 'f': ds_put_char(&ds, '\f'); break;
            case 'u': {
                char hex[5] = { 0 };
                for (int i = 0; i < 4; i++) {
                    if (!isxdigit((unsigned char) s[i])) {
                        *errmsg = "bad \\u escape in quoted string";
                        ds_destroy(&ds);
                        return NULL;
                    }
                    hex[i] = s[i];
                }
                s += 4;
                unsigned long cp = strtoul(hex, NULL, 16);
                if (!cp || cp >= 0x80) {
                    /* Control characters are all we print as \u; keep
                     * the rest simple and refuse it. */
                    *errmsg = "only \\u0001..\\u007f escapes are supported";
                    ds_destroy(&ds);
                    return NULL;
                }
                ds_put_char(&ds, (char) cp);
                break;
            }
            default:
                *errmsg = "bad escape in quoted string";
                ds_destroy(&ds);
                return NULL;
            }
        } else {
            ds_put_char(&ds, c);
        }
    }
    *p = s;
    return ds_steal(&ds);
}

char *
vsctl_parse_string(const char *text, const char **errmsg)
{
    if (text[0] != '"') {
        return xstrdup(text);
    }
    const char *p = text;
    char *s = parse_quoted(&p, errmsg);
    if (s && *p) {
        *errmsg = "unexpected text after the closing quote";
        free(s);
        return NULL;
    }
    return s;
}

/* Reads one atom (quoted, or bare up to one of STOPS outside quotes) from
 * *P.  Returns a new string or NULL. */
static char *
parse_atom(const char **p, const char *stops, const char **errmsg)
{
    while (isspace((unsigned char) **p)) {
        (*p)++;
    }
    if (**p == '"') {
        char *s = parse_quoted(p, errmsg);
        while (s && isspace((unsigned char) **p)) {
            (*p)++;
        }
        return s;
    }
    const char *start = *p;
    while (**p && !strchr(stops, **p)) {
        (*p)++;
    }
    const char *end = *p;
    while (end > start && isspace((unsigned char) end[-1])) {
        end--;
    }
    char *s = xmalloc(end - start + 1);
    memcpy(s, start, end - start);
    s[end - start] = '\0';
    return s;
}

/* Strips matching OPEN/CLOSE around TEXT.  Returns a new string, or NULL
 * when only one of them is there. */
static char *
strip_brackets(const char *text, char open, char close, bool *had)
{
    while (isspace((unsigned char) *text)) {
        text++;
    }
    size_t len = strlen(text);
    while (len && isspace((unsigned char) text[len - 1])) {
        len--;
    }
    *had = len >= 2 && text[0] == open && text[len - 1] == close;
    if (!*had && len && (text[0] == open || text[len - 1] == close)) {
        return NULL;            /* unbalanced */
    }
    if (*had) {
        text++;
        len -= 2;
    }
    char *s = xmalloc(len + 1);
    memcpy(s, text, len);
    s[len] = '\0';
    return s;
}

const char *
vsctl_parse_map(const char *text, struct vsdb_smap *map)
{
    bool braces;
    char *body = strip_brackets(text, '{', '}', &braces);
    if (!body) {
        return "unbalanced '{' and '}'";
    }
    const char *p = body, *errmsg = NULL;
    while (isspace((unsigned char) *p)) {
        p++;
    }
    while (*p && !errmsg) {
        char *key = parse_atom(&p, "=,", &errmsg);
        if (!key) {
            break;
        }
        if (*p != '=') {
            errmsg = "expected KEY=VALUE";
            free(key);
            break;
        }
        p++;
        /* Without braces a value runs to the end: "a=b,c" is one value,
         * like options:dpdk-devargs=net_pcap0,rx_pcap=x.pcap. */
        char *value = parse_atom(&p, braces ? "," : "", &errmsg);
        if (!value) {
            free(key);
            break;
        }
        if (!*key) {
            errmsg = "empty key";
        } else {
            vsdb_smap_add(map, key, value);
        }
        free(key);
        free(value);
        while (isspace((unsigned char) *p)) {
            p++;
        }
        if (*p == ',') {
            p++;
            while (isspace((unsigned char) *p)) {
                p++;
            }
            if (!*p) {
                errmsg = "trailing comma";
            }
        } else if (*p) {
            errmsg = "expected ',' between KEY=VALUE pairs";
        }
    }
    free(body);
    return errmsg;
}

void
vsctl_free_list(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i]);
    }
    free(items);
}

const char *
vsctl_parse_list(const char *text, char ***itemsp, size_t *np)
{
    bool brackets;
    char *body = strip_brackets(text, '[', ']', &brackets);
    *itemsp = NULL;
    *np = 0;
    if (!body) {
        return "unbalanced '[' and ']'";
    }
    const char *p = body, *errmsg = NULL;
    char **items = NULL;
    size_t n = 0;
    while (isspace((unsigned char) *p)) {
        p++;
    }
    while (*p) {
        char *item = parse_atom(&p, ",", &errmsg);
        if (!item) {
            break;
        }
        if (!*item) {
            free(item);
            errmsg = "empty list element";
            break;
        }
        items = xrealloc(items, (n + 1) * sizeof *items);
        items[n++] = item;
        while (isspace((unsigned char) *p)) {
            p++;
        }
        if (*p == ',') {
            p++;
        } else if (*p) {
            errmsg = "expected ',' between list elements";
            break;
        }
    }
    free(body);
    if (errmsg) {
        vsctl_free_list(items, n);
        *itemsp = NULL;
        *np = 0;
        return errmsg;
    }
    *itemsp = items;
    *np = n;
    return NULL;
}

const char *
vsctl_parse_column_arg(const char *arg, char **column, char **key,
                       char **value, bool *ne)
{
    *column = *key = *value = NULL;
    if (ne) {
        *ne = false;
    }
    size_t n = strcspn(arg, ":=!");
    if (!n) {
        return "missing column name";
    }
    *column = xmemdup(arg, n + 1);
    (*column)[n] = '\0';
    const char *p = arg + n;
    const char *errmsg = NULL;
    if (*p == ':') {
        p++;
        char *k = parse_atom(&p, ne ? "=!" : "=", &errmsg);
        if (!k) {
            goto fail;
        }
        if (!*k) {
            free(k);
            errmsg = "missing key after ':'";
            goto fail;
        }
        *key = k;
    }
    if (*p == '!' && ne && p[1] == '=') {
        *ne = true;
        p++;
    }
    if (*p == '=') {
        *value = xstrdup(p + 1);
    } else if (*p) {
        errmsg = "expected COLUMN[:KEY]=VALUE";
        goto fail;
    }
    return NULL;

fail:
    free(*column);
    free(*key);
    *column = *key = NULL;
    return errmsg;
}

void
vsctl_put_json_map(struct ds *ds, const struct vsdb_smap *map,
                   bool values_are_ints)
{
    ds_put_char(ds, '{');
    for (size_t i = 0; i < map->n; i++) {
        if (i) {
            ds_put_cstr(ds, ", ");
        }
        ds_put_json_string(ds, map->nodes[i].key);
        ds_put_cstr(ds, ": ");
        const char *v = map->nodes[i].value;
        unsigned long long u;
        if (values_are_ints && vsw_parse_uint(v, 0, UINT64_MAX, &u)) {
            ds_put_format(ds, "%llu", u);
        } else {
            ds_put_json_string(ds, v);
        }
    }
    ds_put_char(ds, '}');
}

void
vsctl_put_text_map(struct ds *ds, const struct vsdb_smap *map,
                   bool values_are_ints)
{
    ds_put_char(ds, '{');
    for (size_t i = 0; i < map->n; i++) {
        if (i) {
            ds_put_cstr(ds, ", ");
        }
        vsctl_put_string(ds, map->nodes[i].key);
        ds_put_char(ds, '=');
        if (values_are_ints) {
            ds_put_cstr(ds, map->nodes[i].value);
        } else {
            vsctl_put_string(ds, map->nodes[i].value);
        }
    }
    ds_put_char(ds, '}');
}
