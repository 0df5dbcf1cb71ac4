/* Text and JSON for the PMD statistics and rx queue placement a DPDK
 * datapath reports in DATAPATH replies (VSW_DP_ATTR_PMDS / _RXQS), in the
 * style of ovs-appctl dpif-netdev/pmd-stats-show and pmd-rxq-show.
 *
 * Plain C in libvswdp, so that dpctl and vswitchd can print what a remote
 * datapathd reports without linking DPDK. */
#ifndef VSW_DPDK_PMD_TEXT_H
#define VSW_DPDK_PMD_TEXT_H 1

#include "datapath/dp-msg.h"
#include "utilities/ds.h"

/* "pmd thread core N:" blocks with packets, cache hits, misses, lost
 * upcalls, idle/busy cycles and cycles per packet. */
void vsw_pmd_stats_format(const struct vsw_msg_dp *, struct ds *);
/* A JSON array of objects, one per PMD. */
void vsw_pmd_stats_format_json(const struct vsw_msg_dp *, struct ds *);

/* "pmd thread core N:" blocks listing port, queue, pinning and usage. */
void vsw_pmd_rxqs_format(const struct vsw_msg_dp *, struct ds *);
void vsw_pmd_rxqs_format_json(const struct vsw_msg_dp *, struct ds *);

#endif
