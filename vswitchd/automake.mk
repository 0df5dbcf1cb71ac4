include vswitchd/ofproto.mk
# vswitchd: the slow path.  Everything but main() is in a library of its
# own so that the unit tests link the same objects.
noinst_LIBRARIES += vswitchd/libvswd.a
vswitchd_libvswd_a_SOURCES = \
	vswitchd/bridge.c vswitchd/bridge.h \
	vswitchd/commands.c vswitchd/commands.h \
	vswitchd/ctl-server.c vswitchd/ctl-server.h \
	vswitchd/revalidator.c vswitchd/revalidator.h \
	vswitchd/upcall.c vswitchd/upcall.h

# What a program links to get the whole daemon but main().
VSWD_LIBS = vswitchd/libvswd.a vswitchd/libvswofproto.a db/libvsdb.a \
	datapath/libvswdp.a utilities/libvswutil.a \
	$(SQLITE_LIBS) $(LIBEVENT_LIBS) $(LIBNL_LIBS)

sbin_PROGRAMS += vswitchd/vswitchd
vswitchd_vswitchd_SOURCES = vswitchd/vswitchd.c
vswitchd_vswitchd_LDADD = $(VSWD_LIBS)

# Service scripts and units (installed by hand or by a package; see README).
dist_sbin_SCRIPTS = utilities/vswitch-ctl
dist_noinst_SCRIPTS += utilities/quickstart.sh
dist_noinst_DATA += utilities/vswitchd.service utilities/datapathd@.service \
	utilities/vswitch.bash-completion
