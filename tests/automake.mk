# Tests.  UNIT_TESTS are CMocka programs (run also under ASan+UBSan in CI);
# SYSTEM_TESTS are shell suites that need root (they exit 77 = skip
# otherwise); tests/bpf runs golden packets through the XDP program.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	CMOCKA_MESSAGE_OUTPUT=stdout; export CMOCKA_MESSAGE_OUTPUT;

VSW_TEST_LIBS = $(VSWDP_LIBS) $(CMOCKA_LIBS)

include tests/unit/flow.mk
include tests/unit/chan.mk
include tests/unit/datapath.mk
include tests/unit/db.mk
include tests/unit/vswitchd.mk
include tests/unit/dpdk.mk
include tests/unit/xdp.mk
include tests/bpf/automake.mk
include tests/system/automake.mk
include tests/fuzz/automake.mk

TESTS += $(UNIT_TESTS) $(SYSTEM_TESTS)
check_PROGRAMS += $(UNIT_TESTS)
EXTRA_DIST += tests/system/lib.sh tests/run-all.sh

# Unit tests alone (the sanitizer build runs this).
check-unit:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(UNIT_TESTS)'
.PHONY: check-unit
