# Unit tests for the datapath channel: messages (dp-msg.c, flow-attrs.c),
# transport (dp-chan.c) and the client API (dpif.c).  They link the channel
# sources directly so that they build while the rest of libvswdp is in
# flux.
CHAN_TEST_COMPILE_FLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -pthread
CHAN_TEST_LINK_FLAGS = $(AM_LDFLAGS) -pthread
CHAN_TEST_LIBS = utilities/libvswutil.a $(LIBNL_LIBS) $(CMOCKA_LIBS)
CHAN_MSG_SRCS = datapath/dp-msg.c datapath/flow-attrs.c

UNIT_TESTS += tests/unit/test-dp-msg
tests_unit_test_dp_msg_SOURCES = tests/unit/test-dp-msg.c $(CHAN_MSG_SRCS)
tests_unit_test_dp_msg_CFLAGS = $(CHAN_TEST_COMPILE_FLAGS)
tests_unit_test_dp_msg_LDFLAGS = $(CHAN_TEST_LINK_FLAGS)
tests_unit_test_dp_msg_LDADD = $(CHAN_TEST_LIBS)

UNIT_TESTS += tests/unit/test-dp-chan
tests_unit_test_dp_chan_SOURCES = tests/unit/test-dp-chan.c \
	datapath/dp-chan.c $(CHAN_MSG_SRCS)
tests_unit_test_dp_chan_CFLAGS = $(CHAN_TEST_COMPILE_FLAGS)
tests_unit_test_dp_chan_LDFLAGS = $(CHAN_TEST_LINK_FLAGS)
tests_unit_test_dp_chan_LDADD = $(CHAN_TEST_LIBS)

UNIT_TESTS += tests/unit/test-dpif
tests_unit_test_dpif_SOURCES = tests/unit/test-dpif.c \
	datapath/dpif.c datapath/dp-chan.c $(CHAN_MSG_SRCS)
tests_unit_test_dpif_CFLAGS = $(CHAN_TEST_COMPILE_FLAGS)
tests_unit_test_dpif_LDFLAGS = $(CHAN_TEST_LINK_FLAGS)
tests_unit_test_dpif_LDADD = $(CHAN_TEST_LIBS)
