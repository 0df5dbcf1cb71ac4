# unit tests: the XDP engine's parts that need no root (SR-IOV VF ports).
if HAVE_XDP
UNIT_TESTS += tests/unit/test-xdp-vf
tests_unit_test_xdp_vf_SOURCES = tests/unit/test-xdp-vf.c \
	datapath/xdp/xdp-vf.c datapath/xdp/xdp-vf.h
tests_unit_test_xdp_vf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_xdp_vf_LDADD = utilities/libvswutil.a $(LIBNL_LIBS) \
	$(CMOCKA_LIBS)
endif
