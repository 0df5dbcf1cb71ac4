/* Runtime commands of vswitchd's control socket (what vsctl forwards):
 * dump-dp-flows, dp-show, fdb-show, fdb-flush, upcall-show, trace,
 * revalidate, version, poke, pmd-*, list-commands.  Each prints text, or
 * JSON when "--format=json" is among the arguments. */
#ifndef VSW_VSWITCHD_COMMANDS_H
#define VSW_VSWITCHD_COMMANDS_H 1

#include <stdbool.h>
#include <stdint.h>
#include "utilities/ds.h"

/* ctl_handler_fn for ctl_server_create(): runs ARGV[0] with the rest as
 * arguments. */
int commands_handle(void *aux, int argc, char *argv[], struct ds *out);

/* "used:" text of dump-dp-flows: "never" when USED_MS is 0, else the age
 * at NOW_MS in seconds with one decimal ("0.4s").  Exposed for tests. */
void commands_format_used(uint64_t used_ms, uint64_t now_ms, struct ds *);

#endif
