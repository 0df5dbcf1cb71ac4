/* Fast non-cryptographic hashing (murmur3-style mixing) for hash tables. */
#ifndef VSW_HASH_H
#define VSW_HASH_H 1

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t
hash_rot(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static inline uint32_t
hash_add(uint32_t hash, uint32_t data)
{
    data *= 0xcc9e2d51;
    data = hash_rot(data, 15);
    data *= 0x1b873593;
    hash ^= data;
    hash = hash_rot(hash, 13);
    return hash * 5 + 0xe6546b64;
}

static inline uint32_t
hash_finish(uint32_t hash, uint32_t len)
{
    hash ^= len;
    hash ^= hash >> 16;
    hash *= 0x85ebca6b;
    hash ^= hash >> 13;
    hash *= 0xc2b2ae35;
    hash ^= hash >> 16;
    return hash;
}

/* Hashes N bytes; fastest when N is a multiple of 4. */
static inline uint32_t
hash_bytes(const void *p_, size_t n, uint32_t basis)
{
    const uint8_t *p = p_;
    uint32_t hash = basis;
    size_t i;

    for (i = 0; i + 4 <= n; i += 4) {
        uint32_t w;
        memcpy(&w, p + i, 4);
        hash = hash_add(hash, w);
    }
    if (i < n) {
        uint32_t w = 0;
        memcpy(&w, p + i, n - i);
        hash = hash_add(hash, w);
    }
    return hash_finish(hash, n);
}

static inline uint32_t
hash_string(const char *s, uint32_t basis)
{
    return hash_bytes(s, strlen(s), basis);
}

static inline uint32_t
hash_int(uint32_t x, uint32_t basis)
{
    return hash_finish(hash_add(basis, x), 4);
}

#endif
