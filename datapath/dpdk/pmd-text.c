/* See pmd-text.h. */
#include <config.h>
#include "datapath/dpdk/pmd-text.h"

static double
pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double) part / (double) whole : 0.0;
}

void
vsw_pmd_stats_format(const struct vsw_msg_dp *dp, struct ds *s)
{
    for (uint32_t i = 0; i < dp->n_pmds && i < VSW_DP_MAX_PMDS; i++) {
        const struct vsw_dp_pmd *p = &dp->pmds[i];
        uint64_t cycles = p->busy_cycles + p->idle_cycles;
        uint64_t hits = p->n_emc_hit + p->n_table_hit;

        ds_put_format(s, "pmd thread core %u:\n", p->core);
        ds_put_format(s, "  packets received: %llu\n", p->n_packets);
        ds_put_format(s, "  packet hit rate: %.1f%%\n",
                      pct(hits, p->n_packets));
        ds_put_format(s, "  emc hits: %llu (%.1f%%)\n", p->n_emc_hit,
                      pct(p->n_emc_hit, p->n_packets));
        ds_put_format(s, "  table hits: %llu (%.1f%%)\n",
                      p->n_table_hit, pct(p->n_table_hit, p->n_packets));
        ds_put_format(s, "  misses: %llu\n", p->n_missed);
        ds_put_format(s, "  upcalls queued: %llu\n", p->n_upcalls);
        ds_put_format(s, "  lost upcalls: %llu\n", p->n_lost);
        ds_put_format(s, "  idle cycles: %llu (%.1f%%)\n",
                      p->idle_cycles, pct(p->idle_cycles, cycles));
        ds_put_format(s, "  processing cycles: %llu (%.1f%%)\n",
                      p->busy_cycles, pct(p->busy_cycles, cycles));
        if (p->n_packets) {
            double cpp = (double) p->busy_cycles / (double) p->n_packets;

            ds_put_format(s, "  avg cycles per packet: %.1f\n", cpp);
            if (p->tsc_hz) {
                ds_put_format(s, "  avg processing time per packet: %.1f "
                              "ns\n", cpp * 1e9 / (double) p->tsc_hz);
            }
        }
        ds_put_format(s, "  rx queues: %u\n", p->n_rxqs);
    }
}

void
vsw_pmd_stats_format_json(const struct vsw_msg_dp *dp, struct ds *s)
{
    ds_put_char(s, '[');
    for (uint32_t i = 0; i < dp->n_pmds && i < VSW_DP_MAX_PMDS; i++) {
        const struct vsw_dp_pmd *p = &dp->pmds[i];

        ds_put_format(s, "%s{\"core\": %u, \"rx_queues\": %u, "
                      "\"packets\": %llu, \"emc_hits\": %llu, "
                      "\"table_hits\": %llu, \"misses\": %llu, "
                      "\"upcalls\": %llu, \"lost\": %llu, "
                      "\"busy_cycles\": %llu, \"idle_cycles\": %llu, "
                      "\"tsc_hz\": %llu}",
                      i ? ", " : "", p->core, p->n_rxqs, p->n_packets,
                      p->n_emc_hit, p->n_table_hit, p->n_missed, p->n_upcalls,
                      p->n_lost, p->busy_cycles, p->idle_cycles, p->tsc_hz);
    }
    ds_put_char(s, ']');
}

void
vsw_pmd_rxqs_format(const struct vsw_msg_dp *dp, struct ds *s)
{
    for (uint32_t i = 0; i < dp->n_pmds && i < VSW_DP_MAX_PMDS; i++) {
        uint32_t core = dp->pmds[i].core;

        ds_put_format(s, "pmd thread core %u:\n", core);
        for (uint32_t k = 0; k < dp->n_rxqs && k < VSW_DP_MAX_RXQS; k++) {
            const struct vsw_dp_rxq *q = &dp->rxqs[k];

            if (q->core != core) {
                continue;
            }
            ds_put_format(s, "  port: %-15s queue-id: %2u %s "
                          "pmd usage: %3u %%  packets: %llu"
                          "\n", q->port, q->queue,
                          q->pinned ? "(pinned)" : "        ", q->usage_pct,
                          q->n_packets);
        }
    }
}

void
vsw_pmd_rxqs_format_json(const struct vsw_msg_dp *dp, struct ds *s)
{
    ds_put_char(s, '[');
    for (uint32_t k = 0; k < dp->n_rxqs && k < VSW_DP_MAX_RXQS; k++) {
        const struct vsw_dp_rxq *q = &dp->rxqs[k];

        ds_put_format(s, "%s{\"port\": ", k ? ", " : "");
        ds_put_json_string(s, q->port);
        ds_put_format(s, ", \"port_no\": %u, \"queue\": %u, \"core\": %u, "
                      "\"pinned\": %s, \"usage_pct\": %u, \"packets\": %llu}",
                      q->port_no, q->queue, q->core,
                      q->pinned ? "true" : "false", q->usage_pct,
                      q->n_packets);
    }
    ds_put_char(s, ']');
}
