# BPF golden-packet tests: the real XDP object run on crafted frames with
# bpf_prog_test_run_opts().  Needs root (exits 77 = skip otherwise), so it
# is not a UNIT_TEST (those also run under the sanitizers as any user).
if HAVE_XDP
check_PROGRAMS += tests/bpf/test-xdp-golden
TESTS += tests/bpf/test-xdp-golden
tests_bpf_test_xdp_golden_SOURCES = tests/bpf/test-xdp-golden.c
tests_bpf_test_xdp_golden_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_bpf_test_xdp_golden_LDADD = $(VSWDP_LIBS) $(CMOCKA_LIBS) $(LIBBPF_LIBS)
tests/bpf/test_xdp_golden-test-xdp-golden.$(OBJEXT): \
	datapath/xdp/vsw-xdp.skel.h
endif
