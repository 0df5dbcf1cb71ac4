#!/usr/bin/env python3
"""A stand-in for vswitchd's control socket, for tests of vsctl alone.

Listens on RUNDIR/vswitchd.ctl and speaks include/vswitch/ctl-proto.h:

  poke            sets global.cur_cfg = next_cfg in the database (after
                  --delay-ms), as vswitchd does once it applied a change;
                  with --no-ack it answers but never sets cur_cfg
  CMD of --hang   never answers (to test vsctl's --timeout)
  fdb-show nobr   answers status 2, "no bridge named nobr"
  anything else   answers status 0 with "fake-vswitchd: ARGV..." (or a JSON
                  object {"argv": [...]} when --format=json is among ARGV)

Usage: fake-vswitchd.py --rundir DIR --db FILE [--pidfile FILE]
                        [--no-ack] [--delay-ms N] [--hang CMD]
"""
import argparse
import json
import os
import signal
import socket
import sqlite3
import struct
import sys
import threading
import time

MAGIC = 0x56535743
MAX_ARGS = 64
MAX_ARG = 65536


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed")
        buf += chunk
    return buf


def reply(conn, status, text):
    body = text.encode()
    conn.sendall(struct.pack("=IIII", MAGIC, status, len(body), 0) + body)


def ack(db, delay_ms):
    time.sleep(delay_ms / 1000.0)
    con = sqlite3.connect(db, timeout=10)
    con.execute("UPDATE global SET cur_cfg = next_cfg")
    con.commit()
    con.close()


def serve(conn, args):
    magic, argc = struct.unpack("=II", recv_exact(conn, 8))
    if magic != MAGIC or argc < 1 or argc > MAX_ARGS:
        reply(conn, 1, "bad request")
        return
    argv = []
    for _ in range(argc):
        (n,) = struct.unpack("=I", recv_exact(conn, 4))
        if n > MAX_ARG:
            reply(conn, 1, "argument too long")
            return
        argv.append(recv_exact(conn, n).decode())

    cmd = argv[0]
    if cmd == "poke":
        if not args.no_ack:
            ack(args.db, args.delay_ms)
        reply(conn, 0, "")
    elif cmd == args.hang:
        time.sleep(3600)
    elif cmd == "fdb-show" and len(argv) > 1 and argv[1] == "nobr":
        reply(conn, 2, "no bridge named nobr")
    elif "--format=json" in argv:
        reply(conn, 0, json.dumps({"argv": argv}) + "\n")
    else:
        reply(conn, 0, "fake-vswitchd: " + " ".join(argv) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rundir", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--pidfile")
    p.add_argument("--no-ack", action="store_true")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--hang")
    args = p.parse_args()

    os.makedirs(args.rundir, mode=0o700, exist_ok=True)
    path = os.path.join(args.rundir, "vswitchd.ctl")
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    sock.bind(path)
    os.umask(old)
    sock.listen(64)

    def stop(signum, frame):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(args.pidfile + ".tmp", args.pidfile)

    def handle(conn):
        try:
            serve(conn, args)
        except (EOFError, OSError, struct.error, UnicodeDecodeError):
            pass
        finally:
            conn.close()

    # A thread per connection, so that "hang" blocks only its own client.
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
