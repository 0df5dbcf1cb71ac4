# dpctl: talks to datapathd directly (the ovs-dpctl of vswitch).
bin_PROGRAMS += cli/dpctl
cli_dpctl_SOURCES = cli/dpctl.c
cli_dpctl_LDADD = $(VSWDP_LIBS)
