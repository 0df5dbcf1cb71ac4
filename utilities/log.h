/* Logging with levels, per-module names and rate limits.
 *
 *     VSW_LOG_MODULE(bridge);            once per .c file
 *     VSW_INFO("added port %s", name);
 *     static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 10);
 *     VSW_WARN_RL(&rl, "bad packet on port %u", port);
 *
 * Messages go to stderr until vsw_log_open() names a file; SIGHUP handlers
 * call vsw_log_reopen() so that logrotate can move the file away.  Lines
 * read "2026-11-22T02:31:19.123Z|bridge|INFO|added port p1". */
#ifndef VSW_LOG_H
#define VSW_LOG_H 1

#include <stdint.h>
#include "utilities/util.h"

enum vsw_log_level { VSW_LOG_ERR, VSW_LOG_WARN, VSW_LOG_INFO, VSW_LOG_DBG };

struct vsw_log_module {
    const char *name;
};

#define VSW_LOG_MODULE(NAME) \
    static struct vsw_log_module vsw_log_this_module VSW_UNUSED = { #NAME }

/* Token bucket: at most BURST messages, refilled at RATE per minute. */
struct vsw_ratelimit {
    unsigned int rate;          /* messages per minute */
    unsigned int burst;
    uint64_t tokens_ms;         /* token count scaled by 60000 / rate */
    uint64_t last_ms;
    unsigned int n_dropped;     /* suppressed since the last message */
};
#define VSW_RATELIMIT_INIT(RATE, BURST) { RATE, BURST, 0, 0, 0 }

void vsw_log(const struct vsw_log_module *, enum vsw_log_level,
             const char *fmt, ...) VSW_PRINTF(3, 4);
void vsw_log_rl(const struct vsw_log_module *, enum vsw_log_level,
                struct vsw_ratelimit *, const char *fmt, ...) VSW_PRINTF(4, 5);

/* Sets the least severe level that is written (default INFO). */
void vsw_log_set_level(enum vsw_log_level);
bool vsw_log_parse_level(const char *, enum vsw_log_level *);
bool vsw_log_enabled(enum vsw_log_level);
/* Directs output to FILE (appending).  Returns 0 or an errno. */
int vsw_log_open(const char *file);
/* Reopens the file given to vsw_log_open(); safe to call from the main loop
 * after SIGHUP. */
int vsw_log_reopen(void);

#define VSW_ERR(...)  vsw_log(&vsw_log_this_module, VSW_LOG_ERR, __VA_ARGS__)
#define VSW_WARN(...) vsw_log(&vsw_log_this_module, VSW_LOG_WARN, __VA_ARGS__)
#define VSW_INFO(...) vsw_log(&vsw_log_this_module, VSW_LOG_INFO, __VA_ARGS__)
#define VSW_DBG(...) \
    do { if (vsw_log_enabled(VSW_LOG_DBG)) \
            vsw_log(&vsw_log_this_module, VSW_LOG_DBG, __VA_ARGS__); } while (0)
#define VSW_ERR_RL(RL, ...)  vsw_log_rl(&vsw_log_this_module, VSW_LOG_ERR, RL, __VA_ARGS__)
#define VSW_WARN_RL(RL, ...) vsw_log_rl(&vsw_log_this_module, VSW_LOG_WARN, RL, __VA_ARGS__)
#define VSW_INFO_RL(RL, ...) vsw_log_rl(&vsw_log_this_module, VSW_LOG_INFO, RL, __VA_ARGS__)

#endif
