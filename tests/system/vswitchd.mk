# System suites for vswitchd: the dummy engine ones need no root; the xdp
# ones need root, veth and XDP (they exit 77 = skip otherwise).
VSWITCHD_SYSTEM_TESTS = \
	tests/system/vswitchd-dummy-l2.sh \
	tests/system/vswitchd-dummy-reval.sh \
	tests/system/vswitchd-xdp-l2.sh \
	tests/system/vswitchd-xdp-vlan.sh \
	tests/system/vswitchd-xdp-rules.sh \
	tests/system/vswitchd-xdp-restart.sh \
	tests/system/vswitchd-xdp-flood.sh \
	tests/system/vswitchd-ctl.sh \
	tests/system/vswitchd-quickstart.sh
SYSTEM_TESTS += $(VSWITCHD_SYSTEM_TESTS)
EXTRA_DIST += $(VSWITCHD_SYSTEM_TESTS) tests/system/vswitchd-xdp-lib.sh
