/* Growable strings for building output text and messages. */
#ifndef VSW_DS_H
#define VSW_DS_H 1

#include <stdarg.h>
#include <stddef.h>
#include "utilities/util.h"

struct ds {
    char *s;            /* always NUL-terminated once anything was put */
    size_t len;         /* bytes before the NUL */
    size_t cap;         /* bytes allocated, including the NUL */
};

#define DS_EMPTY { NULL, 0, 0 }

void ds_init(struct ds *);
void ds_clear(struct ds *);
void ds_destroy(struct ds *);
void ds_truncate(struct ds *, size_t len);
void ds_put_char(struct ds *, char c);
void ds_put_cstr(struct ds *, const char *s);
void ds_put_buf(struct ds *, const char *buf, size_t n);
void ds_put_format(struct ds *, const char *fmt, ...) VSW_PRINTF(2, 3);
void ds_put_vformat(struct ds *, const char *fmt, va_list);
void ds_put_hex(struct ds *, const void *buf, size_t n);
/* Appends S as a JSON string literal, quotes included. */
void ds_put_json_string(struct ds *, const char *s);
/* Returns the string, "" when nothing was put.  Owned by the ds. */
const char *ds_cstr(struct ds *);
/* Hands the buffer to the caller (free() it) and empties the ds. */
char *ds_steal(struct ds *);

#endif
