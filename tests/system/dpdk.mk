# System suites for the DPDK engine (root; vdevs on veths, no NIC needed).
# They skip (77) when datapathd was built without DPDK or the EAL cannot
# start.
SYSTEM_TESTS += \
	tests/system/dpdk-dpctl.sh \
	tests/system/dpdk-vhost.sh \
	tests/system/dpdk-vswitchd.sh
EXTRA_DIST += \
	tests/system/dpdk-dpctl.sh \
	tests/system/dpdk-vhost.sh \
	tests/system/dpdk-vswitchd.sh
