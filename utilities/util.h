/* Small helpers shared by every vswitch program: allocation that aborts on
 * failure (control-plane code never handles ENOMEM by hand), container
 * macros, bounded string copies and clocks. */
#ifndef VSW_UTIL_H
#define VSW_UTIL_H 1

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CONTAINER_OF(ptr, type, member) \
    ((type *) (void *) ((char *) (ptr) - offsetof(type, member)))
#define VSW_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VSW_MAX(a, b) ((a) > (b) ? (a) : (b))
#define VSW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define VSW_NORETURN __attribute__((noreturn))
#define VSW_UNUSED __attribute__((unused))

void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) VSW_PRINTF(1, 2);
void *xmemdup(const void *p, size_t size);

/* Prints "PROGRAM: message" to stderr and exits with status 1. */
void vsw_fatal(const char *fmt, ...) VSW_PRINTF(1, 2) VSW_NORETURN;
void vsw_set_program_name(const char *argv0);
const char *vsw_program_name(void);

/* Copies at most size - 1 bytes and always terminates.  Returns true when
 * SRC fitted whole. */
bool vsw_strlcpy(char *dst, const char *src, size_t size);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in milliseconds / nanoseconds. */
uint64_t vsw_time_msec(void);
uint64_t vsw_time_nsec(void);
uint64_t vsw_time_wall_msec(void);

/* Parses a whole decimal string into [min, max].  Returns false on any
 * trailing characters, overflow, or an empty string. */
bool vsw_parse_uint(const char *s, unsigned long long min,
                    unsigned long long max, unsigned long long *out);

/* Parses "aa:bb:cc:dd:ee:ff" (exactly). */
bool vsw_parse_mac(const char *s, uint8_t mac[6]);
/* Formats into a caller buffer of at least 18 bytes; returns it. */
char *vsw_format_mac(const uint8_t mac[6], char buf[18]);

#endif
