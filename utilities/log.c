/* See log.h. */
#include <config.h>
#include "utilities/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum vsw_log_level min_level = VSW_LOG_INFO;
static FILE *log_stream;        /* NULL: stderr */
static char *log_path;

static const char *const level_names[] = { "ERR", "WARN", "INFO", "DBG" };

void
vsw_log_set_level(enum vsw_log_level level)
{
    min_level = level;
}

bool
vsw_log_parse_level(const char *s, enum vsw_log_level *level)
{
    for (size_t i = 0; i < ARRAY_SIZE(level_names); i++) {
        if (!strcasecmp(s, level_names[i])
            || (i == VSW_LOG_DBG && !strcasecmp(s, "debug"))
            || (i == VSW_LOG_WARN && !strcasecmp(s, "warning"))) {
            *level = i;
            return true;
        }
    }
    return false;
}

bool
vsw_log_enabled(enum vsw_log_level level)
{
    return level <= min_level;
}

int
vsw_log_open(const char *file)
{
    FILE *f = fopen(file, "a");

    if (!f) {
        return errno;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_stream) {
        fclose(log_stream);
    }
    log_stream = f;
    if (log_path != file) {
        free(log_path);
        log_path = xstrdup(file);
    }
    return 0;
}

int
vsw_log_reopen(void)
{
    return log_path ? vsw_log_open(log_path) : 0;
}

static void
vsw_log_valist(const struct vsw_log_module *module, enum vsw_log_level level,
               const char *fmt, va_list args)
{
    FILE *out = log_stream ? log_stream : stderr;
    struct timespec ts;
    struct tm tm;
    char when[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(out, "%s.%03ldZ|%s|%s|", when, ts.tv_nsec / 1000000,
            module->name, level_names[level]);
    vfprintf(out, fmt, args);
    fputc('\n', out);
}

void
vsw_log(const struct vsw_log_module *module, enum vsw_log_level level,
        const char *fmt, ...)
{
    va_list args;

    if (!vsw_log_enabled(level)) {
        return;
    }
    va_start(args, fmt);
    vsw_log_valist(module, level, fmt, args);
    va_end(args);
}

/* Returns true if a message may be written now. */
static bool
ratelimit_allow(struct vsw_ratelimit *rl)
{
    uint64_t now = vsw_time_msec();
    uint64_t per_token = 60000 / (rl->rate ? rl->rate : 1);
    uint64_t cap = per_token * rl->burst;

    if (!rl->last_ms) {
        rl->tokens_ms = cap;
    } else {
        rl->tokens_ms = VSW_MIN(cap, rl->tokens_ms + (now - rl->last_ms));
    }
    rl->last_ms = now;
    if (rl->tokens_ms >= per_token) {
        rl->tokens_ms -= per_token;
        return true;
    }
    rl->n_dropped++;
    return false;
}

void
vsw_log_rl(const struct vsw_log_module *module, enum vsw_log_level level,
           struct vsw_ratelimit *rl, const char *fmt, ...)
{
    va_list args;

    if (!vsw_log_enabled(level) || !ratelimit_allow(rl)) {
        return;
    }
    if (rl->n_dropped) {
        vsw_log(module, level, "(%u similar messages suppressed)", rl->n_dropped);
        rl->n_dropped = 0;
    }
    va_start(args, fmt);
    vsw_log_valist(module, level, fmt, args);
    va_end(args);
}
