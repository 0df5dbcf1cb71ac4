/* Reference XDP programs for utilities/bench/xdp-veth.sh (not part of
 * vswitch):
 *
 *   bench_redirect  every frame to the one entry of bench_out (a devmap):
 *                   the bare-redirect baseline, no parsing, no lookup;
 *   bench_drop      drops every frame: the sink, which also gives the
 *                   sink's veth the NAPI that redirects into its peer
 *                   need (PLATFORM.md).
 *
 * Built by the script itself with clang -target bpf. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} bench_out SEC(".maps");

SEC("xdp")
int
bench_redirect(struct xdp_md *ctx)
{
    return bpf_redirect_map(&bench_out, 0, XDP_DROP);
}

SEC("xdp")
int
bench_drop(struct xdp_md *ctx)
{
    return XDP_DROP;
}
