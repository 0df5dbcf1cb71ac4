# system suite: vsctl on temporary databases (no root needed), with a fake
# vswitchd control socket for --wait and the runtime commands.
SYSTEM_TESTS += tests/system/vsctl.sh
EXTRA_DIST += tests/system/vsctl.sh tests/system/fake-vswitchd.py
