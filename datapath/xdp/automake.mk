# The XDP engine (built with --with-xdp, the default).
if HAVE_XDP
endif
