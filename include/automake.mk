# Binary layouts shared by several programs (and BPF): the only place two
# sides agree on bytes.
noinst_HEADERS += \
	include/vswitch/flow-key.h \
	include/vswitch/dp-proto.h \
	include/vswitch/xdp-maps.h \
	include/vswitch/ctl-proto.h
