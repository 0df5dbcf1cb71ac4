# System suites of the XDP engine (root, real XDP on veth; exit 77 = skip
# otherwise).  xdp-lib.sh holds their shared helpers.
if HAVE_XDP
SYSTEM_TESTS += \
	tests/system/xdp-forward.sh \
	tests/system/xdp-restart.sh \
	tests/system/xdp-ports.sh
endif
EXTRA_DIST += \
	tests/system/xdp-lib.sh \
	tests/system/xdp-forward.sh \
	tests/system/xdp-restart.sh \
	tests/system/xdp-ports.sh
