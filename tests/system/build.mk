# system suite: configure stops with one line naming the Debian package of
# each missing pkg-config module (no root needed).
SYSTEM_TESTS += tests/system/configure-deps.sh
EXTRA_DIST += tests/system/configure-deps.sh
