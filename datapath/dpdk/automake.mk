# The DPDK engine (built with --with-dpdk, the default).
#
# Text for the PMD statistics a DPDK datapathd reports is plain C in
# libvswdp, built with or without DPDK, for dpctl and vswitchd.
datapath_libvswdp_a_SOURCES += \
	datapath/dpdk/pmd-text.c datapath/dpdk/pmd-text.h

# The DPDK benchmark (utilities/bench/, not built: scripts).
EXTRA_DIST += utilities/bench/dpdk-bench.sh utilities/bench/gen-pcap.py

# The engine's objects live in their own library so that DPDK's compiler flags
# (-march=..., -include rte_config.h) apply to them only.  The pure-C parts
# (flow table, QSBR, EMC, rx queue scheduling) need no EAL and are also
# linked by the unit tests.
if HAVE_DPDK
noinst_LIBRARIES += datapath/dpdk/libvswdpdk.a
datapath_dpdk_libvswdpdk_a_SOURCES = \
	datapath/dpdk/dpdk.h \
	datapath/dpdk/dpdk-private.h \
	datapath/dpdk/dpdk-engine.c \
	datapath/dpdk/dpdk-pmd.c \
	datapath/dpdk/dpdk-port.c \
	datapath/dpdk/dedup.h \
	datapath/dpdk/emc.h \
	datapath/dpdk/flow-table.c datapath/dpdk/flow-table.h \
	datapath/dpdk/qsbr.c datapath/dpdk/qsbr.h \
	datapath/dpdk/rxq-sched.c datapath/dpdk/rxq-sched.h
datapath_dpdk_libvswdpdk_a_CPPFLAGS = $(AM_CPPFLAGS) $(DPDK_CFLAGS)

# Static libraries are searched in order: ours first, then what it uses.
datapath_datapathd_LDADD += datapath/dpdk/libvswdpdk.a $(VSWDP_LIBS) \
	$(DPDK_LIBS) -lpthread

endif
