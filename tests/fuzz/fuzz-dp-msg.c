/* libFuzzer target for the channel decoder (datapath/dp-msg.c,
 * datapath/flow-attrs.c).
 *
 * The input is one datagram.  Every message of it that decodes must encode
 * again, and decoding that must give back the identical struct: the decoder
 * accepts nothing the encoder cannot say, and says it the same way.  For
 * PACKET messages the frame also goes through the packet parser, and the key
 * it yields must cross the channel unchanged too (the contract between
 * flow-key.c and the key encoder).
 *
 * Built with -DVSW_FUZZ_WRITE_SEEDS instead (no libFuzzer), the file is a
 * program that writes the seed corpus into the directory given:
 *     cc -DVSW_FUZZ_WRITE_SEEDS ... -o seeds
 *     ./seeds tests/fuzz/corpus/fuzz-dp-msg
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-msg.h"
#include "datapath/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what, const struct vsw_msg *m)
{
    fprintf(stderr, "fuzz-dp-msg: %s (%s %s seq %u)\n", what,
            vsw_family_name(m->type), vsw_cmd_name(m->type, m->cmd), m->seq);
    abort();
}

static struct vsw_dgram out;
static struct vsw_msg *again;

/* The frame of a PACKET message, parsed, must travel as a MISS key. */
static void
check_extracted_key(const struct vsw_msg *m)
{
    struct vsw_msg *miss = malloc(sizeof *miss);
    struct vsw_error err;

    vsw_msg_init(miss, VSW_FAMILY_PACKET, VSW_PACKET_CMD_MISS, 0, 0, 1);
    vsw_flow_extract(m->u.packet.data, m->u.packet.len, m->u.packet.in_port,
                     &miss->u.packet.key);
    miss->u.packet.data = m->u.packet.data;
    miss->u.packet.len = m->u.packet.len;
    miss->u.packet.in_port = m->u.packet.in_port;
    miss->u.packet.reason = VSW_MISS_REASON_NO_MATCH;
    vsw_msg_set(miss, VSW_PACKET_ATTR_PACKET);
    vsw_msg_set(miss, VSW_PACKET_ATTR_KEY);
    vsw_msg_set(miss, VSW_PACKET_ATTR_IN_PORT);
    vsw_msg_set(miss, VSW_PACKET_ATTR_REASON);
    vsw_dgram_clear(&out);
    if (vsw_msg_encode(miss, &out)) {
        die("the parser's key does not encode", m);
    }
    if (vsw_msg_decode((const struct nlmsghdr *) out.data, again, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        die("the parser's key does not decode", m);
    }
    if (memcmp(&again->u.packet.key, &miss->u.packet.key,
               sizeof miss->u.packet.key)) {
        die("the parser's key changed across the channel", m);
    }
    free(miss);
}

static int
check_msg(const struct vsw_msg *m, void *aux)
{
    struct vsw_error err;
    int error;

    (void) aux;
    vsw_dgram_clear(&out);
    error = vsw_msg_encode(m, &out);
    if (error) {
        fprintf(stderr, "encode: error %d\n", error);
        die("a decoded message does not encode", m);
    }
    if (((const struct nlmsghdr *) out.data)->nlmsg_len != out.len) {
        die("encoded length mismatch", m);
    }
    error = vsw_msg_decode((const struct nlmsghdr *) out.data, again, &err);
    if (error) {
        fprintf(stderr, "decode: %s\n", err.msg);
        die("a re-encoded message does not decode", m);
    }
    if (m->type == VSW_FAMILY_PACKET) {
        if (again->u.packet.len != m->u.packet.len
            || (m->u.packet.len
                && memcmp(again->u.packet.data, m->u.packet.data,
                          m->u.packet.len))) {
            die("packet bytes changed", m);
        }
        again->u.packet.data = m->u.packet.data;
    }
    if (memcmp(again, m, sizeof *m)) {
        die("the message changed across encode and decode", m);
    }
    if (m->type == VSW_FAMILY_PACKET
        && vsw_msg_has(m, VSW_PACKET_ATTR_PACKET)) {
        check_extracted_key(m);
    }
    return 0;
}

static void
ignore_bad(const struct nlmsghdr *nlh, const struct vsw_error *e, void *aux)
{
    (void) nlh;
    (void) aux;
    if (!e->code || !e->msg[0]) {
        fprintf(stderr, "fuzz-dp-msg: a refusal without errno or sentence\n");
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsw_dgram dg;
    struct vsw_error err;

    if (size > VSW_DP_MAX_DATAGRAM) {
        return 0;
    }
    if (!again) {
        vsw_dgram_init(&out);
        again = malloc(sizeof *again);
    }
    /* A buffer of exactly SIZE bytes (so ASan sees any overrun), aligned
     * like a received datagram. */
    dg.data = malloc(size ? size : 1);
    memcpy(dg.data, data, size);
    dg.len = dg.cap = size;
    if (vsw_dgram_for_each(&dg, check_msg, ignore_bad, NULL, &err)
        && (!err.code || !err.msg[0])) {
        fprintf(stderr, "fuzz-dp-msg: a framing error without a sentence\n");
        abort();
    }
    free(dg.data);
    return 0;
}

#ifdef VSW_FUZZ_WRITE_SEEDS
/* ---- Seed corpus -------------------------------------------------------- */

static const uint8_t frame[] = {
    0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
    0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x13, 0x88, 0x17, 0x70, 0, 8, 0, 0,
};

static void
write_seed(const char *dir, const char *name, const struct vsw_dgram *dg)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(dg->data, 1, dg->len, f) != dg->len || fclose(f)) {
        perror(path);
        exit(1);
    }
}

static void
add(struct vsw_dgram *dg, const struct vsw_msg *m)
{
    if (vsw_msg_encode(m, dg)) {
        fprintf(stderr, "seed does not encode\n");
        exit(1);
    }
}

static void
actions(struct vsw_actions *a)
{
    memset(a, 0, sizeof *a);
    a->acts[a->n_actions].type = VSW_ACTION_PUSH_VLAN;
    a->acts[a->n_actions].u.vlan.tpid = htons(0x8100);
    a->acts[a->n_actions++].u.vlan.tci = htons(10);
    a->acts[a->n_actions].type = VSW_ACTION_SET_IPV4;
    a->acts[a->n_actions].u.ipv4.ttl = 3;
    a->acts[a->n_actions++].u.ipv4.fields = VSW_SET_TTL;
    a->acts[a->n_actions].type = VSW_ACTION_SET_L4;
    a->acts[a->n_actions].u.l4.dst = htons(99);
    a->acts[a->n_actions++].u.l4.fields = VSW_SET_DST;
    a->acts[a->n_actions++].type = VSW_ACTION_DEC_TTL;
    a->acts[a->n_actions].type = VSW_ACTION_OUTPUT;
    a->acts[a->n_actions++].u.port = 2;
    a->acts[a->n_actions].type = VSW_ACTION_USERSPACE;
    a->acts[a->n_actions++].u.userdata = 7;
}

int
main(int argc, char *argv[])
{
    struct vsw_dgram dg;
    struct vsw_msg m;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 1;
    }
    vsw_dgram_init(&dg);

    vsw_msg_init(&m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_NEW,
                 NLM_F_REQUEST | NLM_F_ACK, 1, 0);
    strcpy(m.u.dp.name, "br0");
    m.u.dp.version = VSW_DP_PROTO_VERSION;
    vsw_msg_set(&m, VSW_DP_ATTR_NAME);
    vsw_msg_set(&m, VSW_DP_ATTR_VERSION);
    vsw_msg_set(&m, VSW_DP_ATTR_UPCALL_REGISTER);
    add(&dg, &m);
    write_seed(argv[1], "dp-new", &dg);

    vsw_dgram_clear(&dg);
    vsw_msg_init(&m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, NLM_F_MULTI, 2, 3);
    strcpy(m.u.dp.name, "br0");
    strcpy(m.u.dp.engine, "dummy");
    m.u.dp.stats.n_hit = 5;
    for (int a = VSW_DP_ATTR_NAME; a <= VSW_DP_ATTR_N_PORTS; a++) {
        vsw_msg_set(&m, a);
    }
    add(&dg, &m);
    add(&dg, &m);
    vsw_msg_encode_done(&dg, 2);
    write_seed(argv[1], "dp-dump", &dg);

    vsw_dgram_clear(&dg);
    vsw_msg_init(&m, VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, 0, 3, 3);
    m.u.port.port_no = 2;
    strcpy(m.u.port.name, "vhu0");
    strcpy(m.u.port.type, "dpdkvhostuser");
    m.u.port.n_options = 2;
    strcpy(m.u.port.options[0].key, "n_rxq");
    strcpy(m.u.port.options[0].value, "2");
    strcpy(m.u.port.options[1].key, "mtu_request");
    strcpy(m.u.port.options[1].value, "9000");
    memcpy(m.u.port.mac, "\x02\x00\x00\x00\x00\x07", 6);
    strcpy(m.u.port.mode, "pmd");
    strcpy(m.u.port.warning, "a warning");
    for (int a = VSW_PORT_ATTR_PORT_NO; a <= VSW_PORT_ATTR_UPCALL_RATE; a++) {
        vsw_msg_set(&m, a);
    }
    add(&dg, &m);
    write_seed(argv[1], "port-reply", &dg);

    vsw_dgram_clear(&dg);
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW,
                 NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL, 4, 3);
    vsw_flow_extract(frame, sizeof frame, 1, &m.u.flow.key);
    vsw_flow_mask_exact(&m.u.flow.key, &m.u.flow.mask);
    actions(&m.u.flow.actions);
    vsw_msg_set(&m, VSW_FLOW_ATTR_KEY);
    vsw_msg_set(&m, VSW_FLOW_ATTR_MASK);
    vsw_msg_set(&m, VSW_FLOW_ATTR_ACTIONS);
    add(&dg, &m);
    vsw_msg_encode_error(&dg, VSW_FAMILY_FLOW, 4, 0, NULL);
    vsw_msg_encode_error(&dg, VSW_FAMILY_FLOW, 5, 17, "FLOW NEW: flow exists");
    write_seed(argv[1], "flow-new-and-answers", &dg);

    vsw_dgram_clear(&dg);
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_GET, NLM_F_MULTI, 6, 3);
    vsw_flow_extract(frame, sizeof frame, 1, &m.u.flow.key);
    actions(&m.u.flow.actions);
    m.u.flow.stats.n_packets = 3;
    m.u.flow.used_ms = 1234;
    m.u.flow.tcp_flags = 0x12;
    for (int a = VSW_FLOW_ATTR_KEY; a <= VSW_FLOW_ATTR_PMD; a++) {
        if (a != VSW_FLOW_ATTR_MASK) {
            vsw_msg_set(&m, a);
        }
    }
    add(&dg, &m);
    write_seed(argv[1], "flow-dump-reply", &dg);

    vsw_dgram_clear(&dg);
    vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_MISS, 0, 0, 3);
    m.u.packet.data = frame;
    m.u.packet.len = sizeof frame;
    vsw_flow_extract(frame, sizeof frame, 1, &m.u.packet.key);
    m.u.packet.in_port = 1;
    m.u.packet.reason = VSW_MISS_REASON_ACTION;
    m.u.packet.userdata = 7;
    m.u.packet.orig_len = 60;
    for (int a = VSW_PACKET_ATTR_PACKET; a <= VSW_PACKET_ATTR_ORIG_LEN; a++) {
        if (a != VSW_PACKET_ATTR_ACTIONS) {
            vsw_msg_set(&m, a);
        }
    }
    add(&dg, &m);
    add(&dg, &m);
    write_seed(argv[1], "miss-batch", &dg);

    vsw_dgram_clear(&dg);
    vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_EXECUTE,
                 NLM_F_REQUEST | NLM_F_ACK, 7, 3);
    m.u.packet.data = frame;
    m.u.packet.len = sizeof frame;
    m.u.packet.in_port = 1;
    actions(&m.u.packet.actions);
    vsw_msg_set(&m, VSW_PACKET_ATTR_PACKET);
    vsw_msg_set(&m, VSW_PACKET_ATTR_IN_PORT);
    vsw_msg_set(&m, VSW_PACKET_ATTR_ACTIONS);
    add(&dg, &m);
    write_seed(argv[1], "execute", &dg);

    vsw_dgram_destroy(&dg);
    return 0;
}
#endif
