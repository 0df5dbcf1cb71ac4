/* The engine registry: the one place that knows which engines are built in.
 *
 * Callers choose an engine by name (datapathd --engine=NAME); nothing else in
 * the tree tests HAVE_XDP or HAVE_DPDK to pick one. */
#include <config.h>

#include "datapath/dp-engine.h"

#include <errno.h>

#include <stdio.h>
#include <string.h>

#include "datapath/flow.h"

static const struct dp_engine_class *const dp_engine_classes[] = {
#ifdef HAVE_XDP
    &dp_engine_xdp_class,
#endif
#ifdef HAVE_DPDK
    &dp_engine_dpdk_class,
#endif
    &dp_engine_dummy_class,
};

const struct dp_engine_class *
dp_engine_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(dp_engine_classes); i++) {
        if (!strcmp(dp_engine_classes[i]->name, name)) {
            return dp_engine_classes[i];
        }
    }
    return NULL;
}

const char *
dp_engine_names(void)
{
    static char names[128];

    if (!names[0]) {
        size_t len = 0;

        for (size_t i = 0; i < ARRAY_SIZE(dp_engine_classes); i++) {
            int n = snprintf(names + len, sizeof names - len, "%s%s",
                             i ? ", " : "", dp_engine_classes[i]->name);
            if (n < 0 || (size_t) n >= sizeof names - len) {
                break;
            }
            len += n;
        }
    }
    return names;
}

int
dp_upcall_userspace(dp_upcall_cb *cb, void *aux, uint32_t dp_index,
                    uint32_t in_port, uint32_t userdata, const uint8_t *pkt,
                    uint32_t len)
{
    struct vsw_flow_key key;
    struct dp_upcall up = {
        .dp_index = dp_index,
        .in_port = in_port,
        .reason = VSW_MISS_REASON_ACTION,
        .userdata = userdata,
        .key = &key,
        .packet = pkt,
        .len = len,
        .orig_len = len,
    };

    if (!cb) {
        return ENOTCONN;
    }
    vsw_flow_extract(pkt, len, in_port, &key);
    key.tcp_flags = 0;
    return cb(aux, &up);
}
