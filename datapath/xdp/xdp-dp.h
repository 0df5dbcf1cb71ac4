/* One XDP datapath's kernel objects: the program instance and its maps,
 * pinned under VSW_XDP_PIN_ROOT/<name>/ (layouts: vswitch/xdp-maps.h).
 *
 * xdp_dp_create() loads a fresh instance from the embedded skeleton and pins
 * it; xdp_dp_open() picks up a pinned one (datapathd restarted) without
 * touching the attached programs; both leave the same struct xdp_dp behind:
 * file descriptors of every map and program, owned by the struct. */
#ifndef VSW_DATAPATH_XDP_DP_H
#define VSW_DATAPATH_XDP_DP_H 1

#include <stdint.h>
#include "vswitch/xdp-maps.h"
#include "utilities/error.h"

enum xdp_map_id {
    XM_FLOWS,
    XM_SLOW_ACTS,
    XM_PORTS,
    XM_PORT_SLOTS,
    XM_PORT_META,
    XM_TX_PORTS,
    XM_FLOOD_PORTS,
    XM_PORT_STATS,
    XM_UPCALL_BKT,
    XM_PENDING,
    XM_UPCALLS,
    XM_CONFIG,
    XM_USTATS,
    XM_N
};

struct xdp_dp {
    char name[VSW_XDP_META_NAME];
    char dir[256];                  /* pin directory */
    int map_fd[XM_N];
    int prog_fd;                    /* prog_main */
    int tx_prog_fd;                 /* prog_tx (devmap egress) */
    uint32_t prog_id;               /* kernel id of prog_main */
    uint32_t tx_prog_id;
};

/* Name of map ID (its pin file name). */
const char *xdp_dp_map_name(enum xdp_map_id);

/* Checks that ROOT's parent is a mounted bpffs and creates ROOT. */
int xdp_dp_prepare_root(const char *root, struct vsw_error *);

/* Loads and pins a new datapath NAME under ROOT with configuration CFG,
 * for N_CPUS possible CPUs (the flows map keeps one stats slot per CPU).
 * EEXIST if ROOT/NAME exists already. */
int xdp_dp_create(const char *root, const char *name,
                  const struct vsw_xdp_config *cfg, int n_cpus,
                  struct xdp_dp **, struct vsw_error *);

/* Opens the pinned datapath ROOT/NAME and reads its configuration into CFG.
 * EPROTO when the pins are of another layout version (or were made for
 * another CPU count). */
int xdp_dp_open(const char *root, const char *name, int n_cpus,
                struct xdp_dp **, struct vsw_xdp_config *cfg,
                struct vsw_error *);

/* Prepares an opened (not yet loaded) skeleton for N_CPUS possible CPUs:
 * the program's CPU count and the flows map's value size. */
struct vsw_xdp;
int xdp_dp_size_skeleton(struct vsw_xdp *, int n_cpus);

/* Closes the file descriptors; the pins (and so the datapath) stay. */
void xdp_dp_close(struct xdp_dp *);

/* Removes every pin of ROOT/NAME and the directory.  Returns 0 or errno. */
int xdp_dp_unpin(const char *root, const char *name);
/* Gets rid of a pinned datapath that cannot be adopted (another map
 * layout): detaches its program from every netdev of this network namespace
 * that runs it, then unpins it.  Returns how many attachments it removed. */
int xdp_dp_discard(const char *root, const char *name);

int xdp_dp_write_config(struct xdp_dp *, const struct vsw_xdp_config *);
int xdp_dp_read_ustats(struct xdp_dp *, struct vsw_xdp_ustats *);
int xdp_dp_write_ustats(struct xdp_dp *, const struct vsw_xdp_ustats *);

#endif
