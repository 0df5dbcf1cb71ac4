# The decision logic of vswitchd: rule tables (tuple-space classifier),
# MAC learning and translation (with ofproto/trace text).  A library of its
# own so that vswitchd and the unit tests link the same objects.
VSWITCHD_LOGIC_SOURCES = \
	vswitchd/classifier.c vswitchd/classifier.h \
	vswitchd/mac-learning.c vswitchd/mac-learning.h \
	vswitchd/xlate.c vswitchd/xlate.h \
	vswitchd/trace.c vswitchd/trace.h

noinst_LIBRARIES += vswitchd/libvswofproto.a
vswitchd_libvswofproto_a_SOURCES = $(VSWITCHD_LOGIC_SOURCES)

# What a program links to use the decision logic (rule text and datapath
# action text come from libvsdb and libvswdp).
VSWOFPROTO_LIBS = vswitchd/libvswofproto.a db/libvsdb.a datapath/libvswdp.a \
	utilities/libvswutil.a $(SQLITE_LIBS) $(LIBNL_LIBS)
