/* libFuzzer target for the packet parser (vsw_flow_extract).
 *
 * The input is a frame.  libFuzzer hands it over in a buffer of exactly
 * that size, so AddressSanitizer reports any read past the end.  Beyond not
 * crashing, every key must be self-consistent and survive the text form
 * both ways (exact, and with vsw_flow_mask_exact()), which exercises
 * flow-text.c on every shape of key the parser can produce. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what, const struct vsw_flow_key *key, const char *text)
{
    fprintf(stderr, "fuzz-flow-extract: %s (parsed 0x%02x): %s\n", what,
            key->parsed, text ? text : "");
    abort();
}

static void
check_parsed(const struct vsw_flow_key *key)
{
    uint8_t p = key->parsed;
    const uint8_t known = VSW_KEY_F_ETH | VSW_KEY_F_VLAN | VSW_KEY_F_L3
                          | VSW_KEY_F_L4 | VSW_KEY_F_TRUNC
                          | VSW_KEY_F_VLAN_DEEP;

    if (!p || (p & ~known)
        || ((p & (VSW_KEY_F_VLAN | VSW_KEY_F_L3)) && !(p & VSW_KEY_F_ETH))
        || ((p & VSW_KEY_F_L4) && !(p & VSW_KEY_F_L3))
        || ((p & VSW_KEY_F_VLAN_DEEP)
            && (!(p & VSW_KEY_F_VLAN)
                || (p & (VSW_KEY_F_L3 | VSW_KEY_F_TRUNC))))
        || ((p & VSW_KEY_F_L4) && key->nw_frag == VSW_FRAG_LATER)
        || key->pad0
        || (!(p & VSW_KEY_F_VLAN) && key->vlan_tci)) {
        die("inconsistent parsed bits", key, NULL);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsw_flow_key key, back, exact, mask, want;
    struct vsw_error err;
    struct ds s = DS_EMPTY;

    vsw_flow_extract(data, size, 5, &key);
    check_parsed(&key);

    vsw_flow_key_format(&key, NULL, &s);
    if (vsw_flow_key_parse(ds_cstr(&s), &back, NULL, &err)) {
        die(err.msg, &key, ds_cstr(&s));
    }
    if (memcmp(&key, &back, sizeof key)) {
        die("exact text does not round trip", &key, ds_cstr(&s));
    }

    ds_clear(&s);
    vsw_flow_mask_exact(&key, &exact);
    vsw_flow_key_format(&key, &exact, &s);
    if (vsw_flow_key_parse(ds_cstr(&s), &back, &mask, &err)) {
        die(err.msg, &key, ds_cstr(&s));
    }
    want = key;
    want.tcp_flags = 0;
    if (memcmp(&want, &back, sizeof key)
        || memcmp(&exact, &mask, sizeof mask)) {
        die("masked text does not round trip", &key, ds_cstr(&s));
    }
    ds_destroy(&s);
    return 0;
}
