#!/usr/bin/env python3
"""Writes a pcap of 64-byte IPv4/UDP frames for the DPDK engine benchmark.

    gen-pcap.py [--flows N] [--repeat R] [--order rr|block] [--src-mac M]
                [--dst-mac M] OUT.pcap

Every frame is 60 bytes in the file (64 on the wire with the FCS): Ethernet,
IPv4 (20 bytes, valid header checksum), UDP (valid checksum), 18 bytes of
payload.  Flow i differs from flow j in the IPv4 source address and the UDP
source port, so N flows give N distinct exact-match keys (the MACs, the
destination address and port stay fixed, which is what a NORMAL bridge
with one learned destination needs).

--order rr (default) writes flow 0, 1, ..., N-1 and starts again, R times:
each flow comes back only after every other one, the worst case for a
cache.  --order block writes each flow R times in a row.

The file uses the classic pcap format (magic a1b2c3d4, microsecond
timestamps, LINKTYPE_ETHERNET), which DPDK's net_pcap reads with
rx_pcap=FILE.
"""
import argparse
import struct
import sys

FRAME_LEN = 60
DST_IP = bytes([198, 18, 0, 1])
DST_PORT = 5001


def mac_bytes(text):
    parts = text.split(":")
    if len(parts) != 6:
        raise argparse.ArgumentTypeError("bad MAC %r" % text)
    return bytes(int(p, 16) for p in parts)


def ones_complement(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def flow_fields(i):
    """Source address 10.x.y.z and source port of flow I (I < 2^24 * 60000)."""
    src_ip = bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
    src_port = 1024 + (i >> 24) % 60000
    return src_ip, src_port


def build_frame(eth, i):
    src_ip, src_port = flow_fields(i)
    payload = bytes(range(18))
    udp_len = 8 + len(payload)
    ip_len = 20 + udp_len
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, i & 0xFFFF,
                               0, 64, 17, 0, src_ip, DST_IP))
    struct.pack_into("!H", ip, 10, ~ones_complement(bytes(ip)) & 0xFFFF)
    udp = bytearray(struct.pack("!HHHH", src_port, DST_PORT, udp_len, 0)
                    + payload)
    pseudo = src_ip + DST_IP + struct.pack("!BBH", 0, 17, udp_len)
    csum = ~ones_complement(pseudo + bytes(udp)) & 0xFFFF
    struct.pack_into("!H", udp, 6, csum or 0xFFFF)
    frame = eth + bytes(ip) + bytes(udp)
    assert len(frame) == FRAME_LEN
    return frame


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--flows", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--order", choices=("rr", "block"), default="rr")
    ap.add_argument("--src-mac", type=mac_bytes,
                    default=mac_bytes("02:00:00:00:00:01"))
    ap.add_argument("--dst-mac", type=mac_bytes,
                    default=mac_bytes("02:00:00:00:00:02"))
    args = ap.parse_args()
    if args.flows < 1 or args.flows > (1 << 24) * 60000 or args.repeat < 1:
        ap.error("--flows must be 1..2^24*60000 and --repeat >= 1")

    eth = args.dst_mac + args.src_mac + struct.pack("!H", 0x0800)
    rec_hdr = struct.Struct("<IIII")
    with open(args.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        frames = [rec_hdr.pack(0, 0, FRAME_LEN, FRAME_LEN) + build_frame(eth, i)
                  for i in range(args.flows)]
        if args.order == "rr":
            body = b"".join(frames)
            for _ in range(args.repeat):
                f.write(body)
        else:
            for fr in frames:
                f.write(fr * args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
