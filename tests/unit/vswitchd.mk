# unit tests: vswitchd decision logic (classifier, MAC learning, xlate and
# its ofproto/trace text).
UNIT_TESTS += \
	tests/unit/test-classifier \
	tests/unit/test-mac-learning \
	tests/unit/test-xlate

tests_unit_test_classifier_SOURCES = tests/unit/test-classifier.c
tests_unit_test_classifier_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_classifier_LDADD = $(VSWOFPROTO_LIBS) $(CMOCKA_LIBS)

tests_unit_test_mac_learning_SOURCES = tests/unit/test-mac-learning.c
tests_unit_test_mac_learning_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_mac_learning_LDADD = $(VSWOFPROTO_LIBS) $(CMOCKA_LIBS)

tests_unit_test_xlate_SOURCES = tests/unit/test-xlate.c
tests_unit_test_xlate_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_xlate_LDADD = $(VSWOFPROTO_LIBS) $(CMOCKA_LIBS)

# unit tests: the daemon's own logic (control socket, commands, numbering).
UNIT_TESTS += tests/unit/test-vswitchd
tests_unit_test_vswitchd_SOURCES = tests/unit/test-vswitchd.c
tests_unit_test_vswitchd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_vswitchd_LDADD = $(VSWD_LIBS) $(CMOCKA_LIBS)
