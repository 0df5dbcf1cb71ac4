# vsctl (database and runtime commands) and dpctl (talks to datapathd).
include cli/vsctl.mk
include cli/dpctl.mk
