# system suites (root)
include tests/system/datapath.mk
include tests/system/vswitchd.mk
include tests/system/dpdk.mk
include tests/system/db.mk
include tests/system/build.mk
include tests/system/xdp.mk
