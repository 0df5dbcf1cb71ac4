#!/usr/bin/env python3
"""Writes the seed corpora of the flow fuzzers (run from anywhere):

  corpus/fuzz-flow-extract/  real frames: TCP/UDP/ICMP over IPv4 and IPv6,
                             extension headers, fragments, ARP, VLAN, QinQ
  corpus/fuzz-flow-parse/    flow keys (exact and masked) and action lists

The files are committed; rerun this only to change them."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAC_DST = bytes.fromhex("020000000002")
MAC_SRC = bytes.fromhex("020000000001")
IP4_SRC = bytes([192, 0, 2, 1])
IP4_DST = bytes([192, 0, 2, 2])
IP6_SRC = bytes.fromhex("20010db8000000000000000000000001")
IP6_DST = bytes.fromhex("20010db8000000000000000000000002")


def eth(ethertype, tags=()):
    hdr = MAC_DST + MAC_SRC
    for tpid, tci in tags:
        hdr += struct.pack("!HH", tpid, tci)
    return hdr + struct.pack("!H", ethertype)


def ipv4(proto, payload, frag=0, options=b"", ttl=64, tos=0):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos,
                      ihl * 4 + len(payload), 0x1234, frag, ttl, proto, 0,
                      IP4_SRC, IP4_DST)
    return hdr + options + payload


def ipv6(nexthdr, payload, tclass=0, hlimit=64):
    word = 6 << 28 | tclass << 20 | 0x12345
    return struct.pack("!IHBB", word, len(payload), nexthdr, hlimit) \
        + IP6_SRC + IP6_DST + payload


def ext(nexthdr, units=0):
    return struct.pack("!BB", nexthdr, units) + bytes((units + 1) * 8 - 2)


def frag6(nexthdr, offset, more):
    return struct.pack("!BBHI", nexthdr, 0, offset << 3 | more, 0xabcd)


def tcp(sport, dport, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags,
                       65535, 0, 0) + payload


def udp(sport, dport, payload=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp(typ, code, rest=b"\x00\x01\x00\x01"):
    return struct.pack("!BBH", typ, code, 0) + rest


def arp(op):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + MAC_SRC + IP4_SRC \
        + bytes(6) + IP4_DST


PACKETS = {
    "udp4": eth(0x0800) + ipv4(17, udp(5000, 6000, b"hello")),
    "tcp4-syn-opts": eth(0x0800) + ipv4(6, tcp(40000, 80, 0x02),
                                        options=b"\x01\x01\x01\x00"),
    "icmp4-echo": eth(0x0800) + ipv4(1, icmp(8, 0, b"\x00\x01\x00\x01" * 3)),
    "frag4-first": eth(0x0800) + ipv4(17, udp(1, 2, bytes(32)), frag=0x2000),
    "frag4-later": eth(0x0800) + ipv4(17, bytes(24), frag=0x2000 | 4),
    "arp-request": eth(0x0806) + arp(1),
    "vlan-udp4": eth(0x0800, [(0x8100, 0xa00a)]) + ipv4(17, udp(53, 53)),
    "qinq": eth(0x0800, [(0x88a8, 100), (0x8100, 200)]) + ipv4(17, udp(1, 2)),
    "udp6": eth(0x86dd) + ipv6(17, udp(546, 547, b"abcd")),
    "tcp6": eth(0x86dd) + ipv6(6, tcp(22, 50000, 0x18), tclass=0xb8),
    "udp6-ext": eth(0x86dd) + ipv6(0, ext(43) + ext(60, 1) + ext(17)
                                   + udp(7, 9)),
    "frag6-first": eth(0x86dd) + ipv6(44, frag6(17, 0, 1)
                                      + udp(1, 2, bytes(8))),
    "frag6-later": eth(0x86dd) + ipv6(44, frag6(17, 100, 0) + bytes(16)),
    "icmp6-ns": eth(0x86dd) + ipv6(58, icmp(135, 0) + IP6_DST, hlimit=255),
    "ipv4-bad-ihl": eth(0x0800) + b"\x44" + ipv4(17, udp(1, 2))[1:],
    "runt": MAC_DST + MAC_SRC[:3],
}

KEYS = [
    "in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),"
    "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,"
    "frag=no),udp(src=5000,dst=6000)",
    "in_port(2),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),"
    "vlan(vid=10,pcp=0),eth_type(0x86dd),ipv6(src=2001:db8::1,"
    "dst=2001:db8::2,proto=6,tclass=0,hlimit=64,frag=first),tcp(src=1,dst=2),"
    "tcp_flags(0x012)",
    "in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.0/24,frag=no),"
    "udp(dst=53/0xfff0)",
    "eth(src=02:00:00:aa:bb:cc/ff:ff:ff:00:00:00),eth_type(0x0806),"
    "arp(sip=10.0.0.1,tip=10.0.0.2/8,op=1)",
    "eth(),vlan(vid=100,pcp=7/0x4),eth_type(0x8100)",
    "eth(),ipv6(src=fe80::1/64,proto=58),icmpv6(type=135,code=0)",
    "eth(),ipv4(frag=later/0x2,tos=0xb8/0xfc),icmp(type=8)",
    "in_port(3),truncated",
]

ACTIONS = [
    "drop",
    "2,push_vlan(vid=10,pcp=0),flood,set(eth(src=02:00:00:00:00:01,"
    "dst=02:00:00:00:00:02)),set(ipv4(src=10.0.0.1,dst=10.0.0.2,tos=0,"
    "ttl=63)),set(udp(src=5000,dst=6000)),pop_vlan,dec_ttl,userspace(7)",
    "push_vlan(tpid=0x88a8,vid=4095,pcp=7),flood(3),"
    "set(ipv6(src=2001:db8::1,tclass=16,hlimit=1)),set(l4(dst=80))",
]


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


for name, pkt in PACKETS.items():
    write("fuzz-flow-extract", name, pkt)
for i, text in enumerate(KEYS):
    write("fuzz-flow-parse", "key-%d" % i, text.encode())
for i, text in enumerate(ACTIONS):
    write("fuzz-flow-parse", "actions-%d" % i, text.encode())
