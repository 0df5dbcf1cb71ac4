#!/bin/sh
# configure and missing dependencies: for each pkg-config module configure
# needs, pretend it is absent (a pkg-config wrapper on $PKG_CONFIG) and
# check that configure stops with one line naming the Debian package that
# provides it.  Needs no root; runs configure in a temporary directory.

set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ ! -x "$srcdir/configure" ]; then
    echo "configure-deps.sh: $srcdir/configure is missing (run ./boot.sh)" >&2
    exit 99
fi
if ! command -v pkg-config >/dev/null 2>&1; then
    echo "configure-deps.sh: pkg-config is needed; skipping"
    exit 77
fi

tmp=$(mktemp -d /tmp/configure-deps.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# Fails for any query that names $HIDE as a whole word.
cat >"$tmp/pkg-config" <<'EOF'
#!/bin/sh
for a in "$@"; do
    case " $a " in *" $HIDE "*) exit 1 ;; esac
done
exec pkg-config "$@"
EOF
chmod +x "$tmp/pkg-config"

n_pass=0
n_fail=0
# check MODULE DEBIAN-PACKAGE [CONFIGURE-ARGS...]
check() {
    module=$1 pkg=$2
    shift 2
    mkdir -p "$tmp/b"
    (cd "$tmp/b" && HIDE=$module PKG_CONFIG="$tmp/pkg-config" \
        "$srcdir/configure" -q --disable-fuzz "$@" >"$tmp/out" 2>"$tmp/err")
    rc=$?
    errors=$(grep -c 'error' "$tmp/err")
    if [ $rc -ne 0 ] && [ "$errors" -eq 1 ] \
       && grep -q "^configure: error: $module.* not found: apt-get install $pkg (" "$tmp/err"
    then
        n_pass=$((n_pass + 1))
    else
        n_fail=$((n_fail + 1))
        echo "FAIL: $module hidden: exit $rc, stderr:" >&2
        cat "$tmp/err" >&2
    fi
    rm -rf "$tmp/b"
}

check libnl-3.0 libnl-3-dev
check libnl-genl-3.0 libnl-genl-3-dev
check libnl-route-3.0 libnl-route-3-dev
check sqlite3 libsqlite3-dev
check libevent libevent-dev
check cmocka libcmocka-dev
check libbpf libbpf-dev --without-dpdk
check libxdp libxdp-dev --without-dpdk
check libdpdk libdpdk-dev --without-xdp

echo "configure-deps.sh: $n_pass passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
