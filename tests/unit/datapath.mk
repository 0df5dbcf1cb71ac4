# unit tests: datapath (actions, upcall rate limit, packet composition)
UNIT_TESTS += \
	tests/unit/test-actions \
	tests/unit/test-ratelimit \
	tests/unit/test-packet-compose

tests_unit_test_actions_SOURCES = tests/unit/test-actions.c
tests_unit_test_actions_LDADD = $(VSW_TEST_LIBS)

# ratelimit.c belongs to datapathd, not to libvswdp.
tests_unit_test_ratelimit_SOURCES = tests/unit/test-ratelimit.c \
	datapath/ratelimit.c datapath/ratelimit.h
tests_unit_test_ratelimit_LDADD = $(CMOCKA_LIBS)

tests_unit_test_packet_compose_SOURCES = tests/unit/test-packet-compose.c
tests_unit_test_packet_compose_LDADD = $(VSW_TEST_LIBS)
