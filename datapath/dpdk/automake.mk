# The DPDK engine (built with --with-dpdk, the default).
if HAVE_DPDK
endif
