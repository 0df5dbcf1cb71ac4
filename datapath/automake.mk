# libvswdp: flow keys, channel messages and transport, actions, and the
# client API (dpif) -- linked by datapathd, vswitchd, dpctl and tests.
noinst_LIBRARIES += datapath/libvswdp.a
datapath_libvswdp_a_SOURCES = \
	datapath/flow.h datapath/flow-key.c datapath/flow-text.c \
	datapath/dp-msg.h datapath/dp-msg.c datapath/flow-attrs.c \
	datapath/dp-chan.h datapath/dp-chan.c \
	datapath/actions.h datapath/actions.c datapath/packet-compose.c \
	datapath/dpif.h datapath/dpif.c

VSWDP_LIBS = datapath/libvswdp.a utilities/libvswutil.a $(LIBNL_LIBS)

# datapathd: the channel server and the engines.
sbin_PROGRAMS += datapath/datapathd
datapath_datapathd_SOURCES = \
	datapath/datapathd.c \
	datapath/dp-server.c datapath/dp-server.h \
	datapath/dp-engine.c datapath/dp-engine.h \
	datapath/ratelimit.c datapath/ratelimit.h \
	datapath/engine-dummy.c
datapath_datapathd_CPPFLAGS = $(AM_CPPFLAGS)
datapath_datapathd_LDADD = $(VSWDP_LIBS) $(LIBEVENT_LIBS)

include datapath/xdp/automake.mk
include datapath/dpdk/automake.mk
