#!/bin/bash
# dp-channel.sh: malformed, unknown and abusive requests against a live
# datapathd (dummy engine, no root needed).  Every bad datagram or message
# must be answered with NLMSG_ERROR carrying a sentence, the connection must
# stay up, other clients must be served, and datapathd must keep running.
# A client that sends without ever reading is disconnected, not waited for.

. "$top_srcdir/tests/system/lib.sh"
vsw_init dp-channel
vsw_require_prog "$DATAPATHD" "$DPCTL" python3

vsw_start datapathd "$DATAPATHD" --engine=dummy --rundir="$RUNDIR" --log-level=dbg
vsw_wait 10 test -S "$RUNDIR/dp-dummy.sock" || { vsw_log "no socket"; exit 1; }

cat >"$VSW_TMP/chan.py" <<'EOF'
import errno, os, socket, struct, sys, time

SOCK = sys.argv[1]
NLMSG_ERROR, NLMSG_DONE = 2, 3
F_REQUEST, F_MULTI, F_ACK, F_DUMP = 0x1, 0x2, 0x4, 0x300
F_ACK_TLVS = 0x200
FAM_DP, FAM_PORT, FAM_FLOW, FAM_PACKET = 0x20, 0x21, 0x22, 0x23
DP_NEW, DP_DEL, DP_GET = 1, 2, 3
PORT_NEW, PORT_GET = 1, 3
FLOW_NEW = 1
PACKET_MISS = 1
DP_ATTR_NAME, DP_ATTR_VERSION = 1, 2
PORT_ATTR_PORT_NO, PORT_ATTR_NAME, PORT_ATTR_TYPE = 1, 2, 3
FLOW_ATTR_KEY, FLOW_ATTR_ACTIONS = 1, 3

failed = 0
passed = 0

def check(what, cond, detail=""):
    global failed, passed
    if cond:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("FAIL - %s %s" % (what, detail))

def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)

def u32(t, v):
    return attr(t, struct.pack("=I", v))

def string(t, s):
    return attr(t, s.encode() + b"\0")

def msg(typ, cmd, flags=F_REQUEST, seq=1, dp=0, attrs=b"", version=1):
    body = struct.pack("=BBHI", cmd, version, 0, dp) + attrs
    return struct.pack("=IHHII", 16 + len(body), typ, flags, seq, 0) + body

def parse(dgram):
    """List of dicts, one per message of DGRAM."""
    out, off = [], 0
    while off + 16 <= len(dgram):
        n, typ, flags, seq, _ = struct.unpack_from("=IHHII", dgram, off)
        if n < 16 or off + n > len(dgram):
            out.append({"type": "bad framing"})
            break
        m = {"type": typ, "flags": flags, "seq": seq}
        body = dgram[off + 16:off + n]
        if typ == NLMSG_ERROR:
            (m["error"],) = struct.unpack_from("=i", body, 0)
            m["text"] = ""
            rest = body[4 + 16:]
            while len(rest) >= 4:
                alen, atype = struct.unpack_from("=HH", rest, 0)
                if alen < 4:
                    break
                if atype == 1:
                    m["text"] = rest[4:alen].rstrip(b"\0").decode()
                rest = rest[(alen + 3) & ~3:]
        elif typ >= 0x20:
            m["cmd"], _, _, m["dp"] = struct.unpack_from("=BBHI", body, 0)
            m["attrs"], rest = {}, body[8:]
            while len(rest) >= 4:
                alen, atype = struct.unpack_from("=HH", rest, 0)
                if alen < 4:
                    break
                m["attrs"][atype] = rest[4:alen]
                rest = rest[(alen + 3) & ~3:]
        out.append(m)
        off += (n + 3) & ~3
    return out

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(SOCK)
    s.settimeout(5)
    return s

def ask(s, data):
    """Sends one datagram, returns the messages of the answers until an
    NLMSG_ERROR, a DONE, or a non-multi message."""
    s.send(data)
    got = []
    while True:
        ms = parse(s.recv(256 * 1024))
        got += ms
        last = ms[-1] if ms else {}
        if last.get("type") in (NLMSG_ERROR, NLMSG_DONE) or \
           not last.get("flags", 0) & F_MULTI:
            return got

def expect_error(what, s, data, err, text):
    got = ask(s, data)
    e = got[-1] if got else {}
    ok = e.get("type") == NLMSG_ERROR and e.get("error") == -err \
        and text in e.get("text", "")
    check(what, ok, "got %r" % got)

s = connect()

# Framing errors.
expect_error("3 garbage bytes", s, b"\x01\x02\x03", errno.EPROTO,
             "trailing bytes")
expect_error("length past the datagram", s,
             struct.pack("=IHHII", 1000, FAM_DP, F_REQUEST, 7, 0) + b"\0" * 8,
             errno.EPROTO, "does not fit")
expect_error("length not aligned", s,
             struct.pack("=IHHII", 21, FAM_DP, F_REQUEST, 7, 0) + b"\0" * 8,
             errno.EPROTO, "")

# Bad messages.
expect_error("unknown message type", s, msg(0x99, 1), errno.EPROTO,
             "unknown message type")
expect_error("unknown command", s, msg(FAM_DP, 42), errno.EOPNOTSUPP,
             "unknown command")
expect_error("wrong protocol version in the header", s,
             msg(FAM_DP, DP_GET, version=9, dp=1), errno.EPROTO,
             "protocol version")
expect_error("DATAPATH NEW without VERSION", s,
             msg(FAM_DP, DP_NEW, attrs=string(DP_ATTR_NAME, "br0")),
             errno.EINVAL, "VERSION")
expect_error("VERSION of the wrong length", s,
             msg(FAM_DP, DP_NEW, attrs=string(DP_ATTR_NAME, "br0")
                 + attr(DP_ATTR_VERSION, b"\1\0")), errno.EINVAL, "")
expect_error("a peer of another version", s,
             msg(FAM_DP, DP_NEW, attrs=string(DP_ATTR_NAME, "br0")
                 + u32(DP_ATTR_VERSION, 99)), errno.EPROTO, "version 99")
expect_error("an unknown attribute", s,
             msg(FAM_DP, DP_NEW, attrs=string(DP_ATTR_NAME, "br0")
                 + u32(DP_ATTR_VERSION, 1) + u32(40, 1)), errno.EINVAL, "")
expect_error("a reserved attribute", s,
             msg(FAM_DP, DP_NEW, attrs=string(DP_ATTR_NAME, "br0")
                 + u32(DP_ATTR_VERSION, 1) + u32(50, 1)), errno.EINVAL, "")
expect_error("a duplicate attribute", s,
             msg(FAM_DP, DP_NEW, attrs=string(DP_ATTR_NAME, "br0")
                 + string(DP_ATTR_NAME, "br1") + u32(DP_ATTR_VERSION, 1)),
             errno.EINVAL, "")
expect_error("a bad datapath name", s,
             msg(FAM_DP, DP_NEW, attrs=string(DP_ATTR_NAME, "b r/0")
                 + u32(DP_ATTR_VERSION, 1)), errno.EINVAL, "may contain only")
expect_error("not a request", s, msg(FAM_DP, DP_GET, flags=0, dp=1),
             errno.EINVAL, "not a request")
expect_error("MISS sent to datapathd", s,
             msg(FAM_PACKET, PACKET_MISS, dp=1, attrs=b""), errno.EINVAL, "")

# Unknown objects.
expect_error("unknown datapath index", s, msg(FAM_DP, DP_GET, dp=42),
             errno.ENOENT, "no datapath with index 42")
expect_error("unknown datapath name", s,
             msg(FAM_DP, DP_GET, attrs=string(DP_ATTR_NAME, "nosuch")),
             errno.ENOENT, "no datapath named nosuch")
got = ask(s, msg(FAM_DP, DP_NEW, seq=5, attrs=string(DP_ATTR_NAME, "br0")
                 + u32(DP_ATTR_VERSION, 1)))
check("DATAPATH NEW still works", got and got[0].get("type") == FAM_DP
      and got[0].get("dp") == 1 and got[0].get("seq") == 5, "got %r" % got)
# PORT NEW, then PORT SET of the upcall rate, seen in the answer and in GET.
PORT_SET, PORT_ATTR_UPCALL_RATE = 4, 12
got = ask(s, msg(FAM_PORT, PORT_NEW, seq=6, dp=1,
                 attrs=string(PORT_ATTR_NAME, "p1")
                 + string(PORT_ATTR_TYPE, "dummy")))
check("PORT NEW answers with port 1", got and got[0].get("type") == FAM_PORT
      and got[0]["attrs"].get(PORT_ATTR_PORT_NO) == struct.pack("=I", 1),
      "got %r" % got)
got = ask(s, msg(FAM_PORT, PORT_SET, seq=7, dp=1,
                 attrs=string(PORT_ATTR_NAME, "p1")
                 + u32(PORT_ATTR_UPCALL_RATE, 7)))
check("PORT SET answers with the new rate", got
      and got[0].get("type") == FAM_PORT
      and got[0]["attrs"].get(PORT_ATTR_UPCALL_RATE) == struct.pack("=I", 7),
      "got %r" % got)
got = ask(s, msg(FAM_PORT, PORT_GET, seq=8, dp=1,
                 attrs=u32(PORT_ATTR_PORT_NO, 1)))
check("PORT GET shows the new rate", got and got[0].get("type") == FAM_PORT
      and got[0]["attrs"].get(PORT_ATTR_UPCALL_RATE) == struct.pack("=I", 7),
      "got %r" % got)
expect_error("PORT SET cannot change the type", s,
             msg(FAM_PORT, PORT_SET, dp=1, attrs=u32(PORT_ATTR_PORT_NO, 1)
                 + string(PORT_ATTR_TYPE, "system")), errno.EINVAL,
             "cannot change")

expect_error("unknown port", s,
             msg(FAM_PORT, PORT_GET, dp=1, attrs=u32(PORT_ATTR_PORT_NO, 77)),
             errno.ENOENT, "has no port 77")
expect_error("unknown port name", s,
             msg(FAM_PORT, PORT_GET, dp=1, attrs=string(PORT_ATTR_NAME, "zz")),
             errno.ENOENT, "no port named zz")
expect_error("port on an unknown datapath", s,
             msg(FAM_PORT, PORT_NEW, dp=99, attrs=string(PORT_ATTR_NAME, "p1")
                 + string(PORT_ATTR_TYPE, "dummy")), errno.ENOENT, "99")
expect_error("port request without a datapath index", s,
             msg(FAM_PORT, PORT_GET, dp=0, attrs=u32(PORT_ATTR_PORT_NO, 1)),
             errno.EINVAL, "datapath index")
expect_error("flow key nest with garbage", s,
             msg(FAM_FLOW, FLOW_NEW, dp=1,
                 attrs=attr(FLOW_ATTR_KEY, b"\xff" * 7)
                 + attr(FLOW_ATTR_ACTIONS, b"")), errno.EINVAL, "")

# Two messages in one datagram: one bad, one good, answered in order.
s.send(msg(FAM_DP, DP_GET, seq=11, dp=42) + msg(FAM_DP, DP_GET, seq=12, dp=1))
got = parse(s.recv(256 * 1024))
check("one datagram, two answers in order",
      len(got) == 2 and got[0].get("type") == NLMSG_ERROR
      and got[0].get("seq") == 11 and got[1].get("type") == FAM_DP
      and got[1].get("seq") == 12, "got %r" % got)

# A datagram over the channel maximum (128 KiB).
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
try:
    expect_error("oversized datagram", s, b"\0" * (200 * 1024), errno.EMSGSIZE,
                 "longer than")
except OSError as e:
    check("oversized datagram (send)", e.errno == errno.EMSGSIZE, repr(e))
got = ask(s, msg(FAM_DP, DP_GET, seq=13, dp=1))
check("connection still serves after all that",
      got and got[0].get("type") == FAM_DP and got[0].get("seq") == 13,
      "got %r" % got)

# Upcalls: a registered client gets MISS messages batched many per
# datagram; when it stops reading, its queue fills, further misses are
# counted lost (not queued without bound), and it is NOT disconnected.
PACKET_INJECT, PKT_ATTR_PACKET, PKT_ATTR_IN_PORT = 3, 1, 4
DP_SET, DP_ATTR_STATS, DP_ATTR_REGISTER = 4, 4, 8

def dp_stats():
    got = ask(s, msg(FAM_DP, DP_GET, seq=30, dp=1))
    # unpack_from: the struct may grow at its end (append-only schema).
    return struct.unpack_from("=6Q", got[0]["attrs"][DP_ATTR_STATS])

def frame(i):
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    ip = bytes([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0,
                192, 0, 2, 1, 192, 0, 2, 2])
    udp = struct.pack("!HHHH", i & 0xffff, 1000 + (i >> 16), 8, 0)
    return eth + ip + udp

got = ask(s, msg(FAM_PORT, PORT_SET, dp=1, attrs=u32(PORT_ATTR_PORT_NO, 1)
                 + u32(PORT_ATTR_UPCALL_RATE, 1000000000)))
check("no rate limit for the flood", got and got[0].get("type") == FAM_PORT,
      "got %r" % got)
listener = connect()
got = ask(listener, msg(FAM_DP, DP_SET, seq=31, dp=1,
                        attrs=attr(DP_ATTR_REGISTER, b"")))
check("registered for upcalls", got and got[0].get("type") == FAM_DP,
      "got %r" % got)
before = dp_stats()
N, PER = 120000, 400
for base in range(0, N, PER):
    s.send(b"".join(msg(FAM_PACKET, PACKET_INJECT, seq=100000 + i, dp=1,
                        attrs=attr(PKT_ATTR_PACKET, frame(i))
                        + u32(PKT_ATTR_IN_PORT, 1))
                    for i in range(base, base + PER)))
    acks = 0
    while acks < PER:
        acks += sum(1 for m in parse(s.recv(256 * 1024))
                    if m.get("type") == NLMSG_ERROR and m.get("error") == 0)
after = dp_stats()
missed, lost = after[1] - before[1], after[2] - before[2]
upcalls = after[5] - before[5]
check("every inject missed (%d)" % missed, missed == N)
check("a reader that stalls loses misses, counted (%d lost)" % lost,
      lost > 0 and upcalls + lost == N, "upcalls %d lost %d" % (upcalls, lost))
# Now read everything: the misses queued for it, then an answer.
listener.send(msg(FAM_DP, DP_GET, seq=32, dp=1))
received, biggest, answered = 0, 0, False
while not answered:
    ms = parse(listener.recv(256 * 1024))
    n = sum(1 for m in ms if m.get("type") == FAM_PACKET and m.get("cmd") == PACKET_MISS)
    received += n
    biggest = max(biggest, n)
    answered = any(m.get("seq") == 32 for m in ms)
check("the stalled listener was kept and still answered", answered)
check("it received exactly the misses not counted lost (%d)" % received,
      received == upcalls, "upcalls %d" % upcalls)
check("misses came batched (up to %d per datagram)" % biggest, biggest > 1)
listener.close()

# A client that never reads is disconnected; others are still served.
hog = connect()
hog.setblocking(False)
req = msg(FAM_DP, DP_GET, dp=1)
sent = 0
deadline = time.time() + 20
while time.time() < deadline and sent < 20000:
    try:
        hog.send(req)
        sent += 1
    except BlockingIOError:
        time.sleep(0.01)
    except OSError:
        break
other = connect()
got = ask(other, msg(FAM_DP, DP_GET, seq=21, dp=1))
check("another client is served while one hogs",
      got and got[0].get("seq") == 21, "got %r" % got)
hog.setblocking(True)
hog.settimeout(10)
closed = False
try:
    for _ in range(100000):
        if hog.recv(256 * 1024) == b"":
            closed = True
            break
except OSError:
    closed = True
check("the client that does not read is disconnected (sent %d)" % sent,
      closed)

print("chan.py: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF

vsw_check "malformed and unknown requests" python3 "$VSW_TMP/chan.py" "$RUNDIR/dp-dummy.sock"
vsw_check "datapathd still running" kill -0 "$(vsw_pid datapathd)"
vsw_check "dpctl still works" "$DPCTL" --rundir="$RUNDIR" --engine=dummy show br0
vsw_check_match "the hog was dropped for not reading" 'does not read its replies' \
    "$(cat "$VSW_TMP/datapathd.log")"

vsw_finish
