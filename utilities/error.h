/* An error sentence that travels with an errno from where a failure is
 * found to where the operator reads it (an NLMSG_ERROR text, an
 * interface's `error` column, vsctl's stderr). */
#ifndef VSW_ERROR_H
#define VSW_ERROR_H 1

#include "utilities/util.h"

#define VSW_ERROR_MAX 256

struct vsw_error {
    int code;                   /* positive errno, 0 = no error */
    char msg[VSW_ERROR_MAX];    /* one sentence, no trailing newline */
};

/* Sets ERR (if nonnull) and returns CODE, so callers can write
 *     return vsw_error_set(err, ENOENT, "no datapath %u", idx); */
int vsw_error_set(struct vsw_error *err, int code, const char *fmt, ...)
    VSW_PRINTF(3, 4);
void vsw_error_clear(struct vsw_error *err);

#endif
