# vsctl: the database and runtime command-line tool (ovs-vsctl's habits).
bin_PROGRAMS += cli/vsctl
cli_vsctl_SOURCES = \
	cli/vsctl.c cli/vsctl.h \
	cli/vsctl-db.c \
	cli/vsctl-flows.c \
	cli/vsctl-value.c
cli_vsctl_LDADD = $(VSDB_LIBS)
