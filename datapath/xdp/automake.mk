# The XDP engine (built with --with-xdp, the default).
#
# datapath/xdp/bpf/vsw-xdp.bpf.c is compiled with clang for the BPF target
# into the build tree, and bpftool turns the object into a skeleton header
# (datapath/xdp/vsw-xdp.skel.h, struct vsw_xdp) that embeds it, so
# datapathd and tests/bpf carry the program inside their binary.
VSW_XDP_BPF_FILES = \
	datapath/xdp/bpf/vsw-xdp.bpf.c \
	datapath/xdp/bpf/vsw-parse.h \
	datapath/xdp/bpf/vsw-csum.h
EXTRA_DIST += $(VSW_XDP_BPF_FILES)

# The XDP benchmark (not part of `make check`; see the script's header).
EXTRA_DIST += utilities/bench/xdp-veth.sh utilities/bench/xdp-bench.bpf.c

if HAVE_XDP
# clang -target bpf does not search the host's multiarch include directory,
# where <asm/types.h> lives on Debian.
BPF_MULTIARCH_INC = -idirafter /usr/include/$(shell $(CC) -print-multiarch 2>/dev/null)
BPF_CFLAGS = -O2 -g -target bpf -Wall -I$(top_srcdir)/include $(BPF_MULTIARCH_INC)

datapath/xdp/vsw-xdp.bpf.o: $(addprefix $(top_srcdir)/,$(VSW_XDP_BPF_FILES)) \
		$(top_srcdir)/include/vswitch/xdp-maps.h \
		$(top_srcdir)/include/vswitch/flow-key.h
	@$(MKDIR_P) datapath/xdp
	$(AM_V_GEN)$(BPF_CLANG) $(BPF_CFLAGS) \
		-c $(top_srcdir)/datapath/xdp/bpf/vsw-xdp.bpf.c -o $@

datapath/xdp/vsw-xdp.skel.h: datapath/xdp/vsw-xdp.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton $< name vsw_xdp > $@.tmp && mv $@.tmp $@

BUILT_SOURCES += datapath/xdp/vsw-xdp.skel.h
CLEANFILES += datapath/xdp/vsw-xdp.bpf.o datapath/xdp/vsw-xdp.skel.h

datapath_datapathd_SOURCES += \
	datapath/xdp/engine-xdp.c \
	datapath/xdp/xdp-dp.c datapath/xdp/xdp-dp.h \
	datapath/xdp/xdp-netdev.c datapath/xdp/xdp-netdev.h \
	datapath/xdp/xdp-vf.c datapath/xdp/xdp-vf.h
datapath_datapathd_CPPFLAGS += -I$(top_builddir)/datapath/xdp
datapath_datapathd_LDADD += $(LIBBPF_LIBS) $(LIBXDP_LIBS)

# The objects that include the skeleton: make sure it exists even when a
# single target is built (BUILT_SOURCES only applies to all/check).
datapath/xdp/datapathd-xdp-dp.$(OBJEXT): datapath/xdp/vsw-xdp.skel.h
datapath/xdp/datapathd-engine-xdp.$(OBJEXT): datapath/xdp/vsw-xdp.skel.h
endif
