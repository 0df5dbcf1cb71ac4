/* See error.h. */
#include <config.h>
#include "utilities/error.h"

#include <stdarg.h>
#include <stdio.h>

int
vsw_error_set(struct vsw_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list args;

        err->code = code;
        va_start(args, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, args);
        va_end(args);
    }
    return code;
}

void
vsw_error_clear(struct vsw_error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
