/* The engine registry: the one place that knows which engines are built in.
 *
 * Callers choose an engine by name (datapathd --engine=NAME); nothing else in
 * the tree tests HAVE_XDP or HAVE_DPDK to pick one. */
#include <config.h>

#include "datapath/dp-engine.h"

#include <stdio.h>
#include <string.h>

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
