# unit tests: the PMD attributes of the DATAPATH family and their text
# (libvswdp; built with or without DPDK).
UNIT_TESTS += tests/unit/test-dpdk-pmd-msg
tests_unit_test_dpdk_pmd_msg_SOURCES = tests/unit/test-dpdk-pmd-msg.c
tests_unit_test_dpdk_pmd_msg_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dpdk_pmd_msg_LDADD = $(VSW_TEST_LIBS)

# unit tests: the parser keeps the promise that lets the PMD reuse a key for
# a train of identical headers (datapath/dpdk/dedup.h).
UNIT_TESTS += tests/unit/test-dpdk-dedup
tests_unit_test_dpdk_dedup_SOURCES = tests/unit/test-dpdk-dedup.c \
	datapath/dpdk/dedup.h
tests_unit_test_dpdk_dedup_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dpdk_dedup_LDADD = $(VSW_TEST_LIBS)

# unit tests: the DPDK engine's EAL-free parts (flow table, QSBR, EMC, rx
# queue scheduling).  They link the engine's library but pull only those
# objects, so no EAL or hugepages are needed.
if HAVE_DPDK
UNIT_TESTS += \
	tests/unit/test-dpdk-flow-table \
	tests/unit/test-dpdk-rxq

tests_unit_test_dpdk_flow_table_SOURCES = tests/unit/test-dpdk-flow-table.c
tests_unit_test_dpdk_flow_table_CPPFLAGS = $(AM_CPPFLAGS) $(DPDK_CFLAGS)
tests_unit_test_dpdk_flow_table_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dpdk_flow_table_LDADD = datapath/dpdk/libvswdpdk.a \
	utilities/libvswutil.a $(CMOCKA_LIBS) -lpthread

tests_unit_test_dpdk_rxq_SOURCES = tests/unit/test-dpdk-rxq.c
tests_unit_test_dpdk_rxq_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dpdk_rxq_LDADD = datapath/dpdk/libvswdpdk.a \
	utilities/libvswutil.a $(CMOCKA_LIBS)
endif
