# libvswutil: containers, strings, logging, errors; linked by every program.
noinst_LIBRARIES += utilities/libvswutil.a
utilities_libvswutil_a_SOURCES = \
	utilities/util.c utilities/util.h \
	utilities/ds.c utilities/ds.h \
	utilities/log.c utilities/log.h \
	utilities/error.c utilities/error.h \
	utilities/daemon.c utilities/daemon.h \
	utilities/hmap.c utilities/hmap.h \
	utilities/hash.h utilities/list.h \
	utilities/ctl-client.c utilities/ctl-client.h

dist_noinst_SCRIPTS += utilities/install-deps.sh
