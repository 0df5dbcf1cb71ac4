# unit tests: flow keys (packet parser, text form) and shared layouts.
UNIT_TESTS += \
	tests/unit/test-flow-key \
	tests/unit/test-flow-text \
	tests/unit/test-layout

tests_unit_test_flow_key_SOURCES = \
	tests/unit/test-flow-key.c tests/unit/flow-test-pkts.h
tests_unit_test_flow_key_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_flow_key_LDADD = $(VSW_TEST_LIBS)

tests_unit_test_flow_text_SOURCES = \
	tests/unit/test-flow-text.c tests/unit/flow-test-pkts.h
tests_unit_test_flow_text_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_flow_text_LDADD = $(VSW_TEST_LIBS)

tests_unit_test_layout_SOURCES = tests/unit/test-layout.c
tests_unit_test_layout_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_layout_LDADD = $(VSW_TEST_LIBS)
