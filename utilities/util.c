/* See util.h. */
#include <config.h>
#include "utilities/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *program_name = "vswitch";

void
vsw_set_program_name(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    program_name = slash ? slash + 1 : argv0;
}

const char *
vsw_program_name(void)
{
    return program_name;
}

static void VSW_NORETURN
out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", program_name);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xzalloc(size_t size)
{
    return xcalloc(1, size);
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

char *
xstrdup(const char *s)
{
    return xmemdup(s, strlen(s) + 1);
}

void *
xmemdup(const void *p, size_t size)
{
    void *q = xmalloc(size);
    memcpy(q, p, size);
    return q;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list args;
    char *s;

    va_start(args, fmt);
    if (vasprintf(&s, fmt, args) < 0) {
        out_of_memory();
    }
    va_end(args);
    return s;
}

void
vsw_fatal(const char *fmt, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    exit(1);
}

bool
vsw_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (!size) {
        return !len;
    }
    if (len >= size) {
        memcpy(dst, src, size - 1);
        dst[size - 1] = '\0';
        return false;
    }
    memcpy(dst, src, len + 1);
    return true;
}

static uint64_t
clock_nsec(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t
vsw_time_nsec(void)
{
    return clock_nsec(CLOCK_MONOTONIC);
}

uint64_t
vsw_time_msec(void)
{
    return clock_nsec(CLOCK_MONOTONIC) / 1000000;
}

uint64_t
vsw_time_wall_msec(void)
{
    return clock_nsec(CLOCK_REALTIME) / 1000000;
}

bool
vsw_parse_uint(const char *s, unsigned long long min, unsigned long long max,
               unsigned long long *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') {
        return false;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool
vsw_parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit(s[0]);
        int lo = hi < 0 ? -1 : hex_digit(s[1]);

        if (lo < 0) {
            return false;
        }
        mac[i] = hi << 4 | lo;
        s += 2;
        if (i < 5 && *s++ != ':') {
            return false;
        }
    }
    return *s == '\0';
}

char *
vsw_format_mac(const uint8_t mac[6], char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
             mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}
