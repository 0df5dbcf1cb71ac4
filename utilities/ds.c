/* See ds.h. */
#include <config.h>
#include "utilities/ds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ds_init(struct ds *ds)
{
    ds->s = NULL;
    ds->len = ds->cap = 0;
}

void
ds_clear(struct ds *ds)
{
    ds->len = 0;
    if (ds->s) {
        ds->s[0] = '\0';
    }
}

void
ds_destroy(struct ds *ds)
{
    free(ds->s);
    ds_init(ds);
}

void
ds_truncate(struct ds *ds, size_t len)
{
    if (len < ds->len) {
        ds->len = len;
        ds->s[len] = '\0';
    }
}

static void
ds_reserve(struct ds *ds, size_t extra)
{
    size_t need = ds->len + extra + 1;

    if (need > ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 64;
        while (cap < need) {
            cap *= 2;
        }
        ds->s = xrealloc(ds->s, cap);
        ds->cap = cap;
    }
}

void
ds_put_buf(struct ds *ds, const char *buf, size_t n)
{
    ds_reserve(ds, n);
    memcpy(ds->s + ds->len, buf, n);
    ds->len += n;
    ds->s[ds->len] = '\0';
}

void
ds_put_char(struct ds *ds, char c)
{
    ds_put_buf(ds, &c, 1);
}

void
ds_put_cstr(struct ds *ds, const char *s)
{
    ds_put_buf(ds, s, strlen(s));
}

void
ds_put_vformat(struct ds *ds, const char *fmt, va_list args)
{
    va_list copy;
    int n;

    ds_reserve(ds, 64);
    va_copy(copy, args);
    n = vsnprintf(ds->s + ds->len, ds->cap - ds->len, fmt, copy);
    va_end(copy);
    if (n < 0) {
        return;
    }
    if ((size_t) n >= ds->cap - ds->len) {
        ds_reserve(ds, n);
        vsnprintf(ds->s + ds->len, ds->cap - ds->len, fmt, args);
    }
    ds->len += n;
}

void
ds_put_format(struct ds *ds, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    ds_put_vformat(ds, fmt, args);
    va_end(args);
}

void
ds_put_hex(struct ds *ds, const void *buf_, size_t n)
{
    const unsigned char *buf = buf_;

    for (size_t i = 0; i < n; i++) {
        ds_put_format(ds, "%02x", buf[i]);
    }
}

void
ds_put_json_string(struct ds *ds, const char *s)
{
    ds_put_char(ds, '"');
    for (; *s; s++) {
        unsigned char c = *s;
        switch (c) {
        case '"':  ds_put_cstr(ds, "\\\""); break;
        case '\\': ds_put_cstr(ds, "\\\\"); break;
        case '\n': ds_put_cstr(ds, "\\n"); break;
        case '\r': ds_put_cstr(ds, "\\r"); break;
        case '\t': ds_put_cstr(ds, "\\t"); break;
        default:
            if (c < 0x20) {
                ds_put_format(ds, "\\u%04x", c);
            } else {
                ds_put_char(ds, c);
            }
        }
    }
    ds_put_char(ds, '"');
}

const char *
ds_cstr(struct ds *ds)
{
    if (!ds->s) {
        ds_reserve(ds, 0);
        ds->s[0] = '\0';
    }
    return ds->s;
}

char *
ds_steal(struct ds *ds)
{
    char *s;

    ds_cstr(ds);
    s = ds->s;
    ds_init(ds);
    return s;
}
