# vswitch configure checks.  Each check either succeeds, or stops configure
# with one line naming the Debian package that provides what is missing.

# VSW_CHECK_PKG(VAR, MODULES, DEBIAN-PACKAGES)
AC_DEFUN([VSW_CHECK_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found: apt-get install $3 (or run utilities/install-deps.sh)])])
])

# VSW_REQUIRE_PKG(MODULE, DEBIAN-PACKAGE): checks one module of a group
# that VSW_CHECK_PKG then takes together, so that the error names the one
# package that is missing rather than the whole group.
AC_DEFUN([VSW_REQUIRE_PKG], [
  AC_MSG_CHECKING([for $1])
  PKG_CHECK_EXISTS([$1], [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([$1 not found: apt-get install $2 (or run utilities/install-deps.sh)])])
])

# Warnings always on; --enable-werror turns them into errors (CI does).
AC_DEFUN([VSW_CHECK_CFLAGS], [
  VSW_WARN_CFLAGS="-Wall -Wextra -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes -Wshadow=local -Wpointer-arith -Wformat=2"
  AC_ARG_ENABLE([werror],
    [AS_HELP_STRING([--enable-werror], [treat warnings as errors])],
    [], [enable_werror=no])
  AS_IF([test "x$enable_werror" = xyes], [VSW_WARN_CFLAGS="$VSW_WARN_CFLAGS -Werror"])
  AC_SUBST([VSW_WARN_CFLAGS])
])

# --enable-sanitizers builds everything with ASan + UBSan (CI's unit run).
AC_DEFUN([VSW_CHECK_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build with AddressSanitizer and UBSan])],
    [], [enable_sanitizers=no])
  VSW_SAN_CFLAGS=
  AS_IF([test "x$enable_sanitizers" = xyes],
    [VSW_SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"])
  AC_SUBST([VSW_SAN_CFLAGS])
  AM_CONDITIONAL([HAVE_SANITIZERS], [test "x$enable_sanitizers" = xyes])
])

# The XDP engine: libbpf and libxdp to load, clang and bpftool to build the
# BPF object and its skeleton.
AC_DEFUN([VSW_CHECK_LIBBPF], [
  AC_ARG_WITH([xdp],
    [AS_HELP_STRING([--without-xdp], [build without the XDP engine])],
    [], [with_xdp=yes])
  vsw_have_xdp=no
  vsw_libbpf_version=-
  vsw_libxdp_version=-
  AS_IF([test "x$with_xdp" != xno], [
    VSW_CHECK_PKG([LIBBPF], [libbpf >= 1.0], [libbpf-dev])
    VSW_CHECK_PKG([LIBXDP], [libxdp >= 1.2], [libxdp-dev])
    vsw_libbpf_version=$($PKG_CONFIG --modversion libbpf)
    vsw_libxdp_version=$($PKG_CONFIG --modversion libxdp)
    AC_PATH_PROGS([BPF_CLANG], [clang clang-16 clang-15 clang-14], [no])
    AS_IF([test "x$BPF_CLANG" = xno], [AC_MSG_ERROR([clang not found: apt-get install clang])])
    AC_PATH_PROGS([BPFTOOL], [bpftool], [no], [$PATH:/usr/sbin:/sbin])
    AS_IF([test "x$BPFTOOL" = xno], [AC_MSG_ERROR([bpftool not found: apt-get install bpftool])])
    vsw_have_xdp=yes
    AC_DEFINE([HAVE_XDP], [1], [Define if the XDP engine is built.])
  ])
  AM_CONDITIONAL([HAVE_XDP], [test "x$vsw_have_xdp" = xyes])
])

AC_DEFUN([VSW_CHECK_DPDK], [
  AC_ARG_WITH([dpdk],
    [AS_HELP_STRING([--without-dpdk], [build without the DPDK engine])],
    [], [with_dpdk=yes])
  vsw_have_dpdk=no
  vsw_dpdk_version=-
  AS_IF([test "x$with_dpdk" != xno], [
    VSW_CHECK_PKG([DPDK], [libdpdk >= 22.11], [libdpdk-dev])
    vsw_dpdk_version=$($PKG_CONFIG --modversion libdpdk)
    vsw_have_dpdk=yes
    AC_DEFINE([HAVE_DPDK], [1], [Define if the DPDK engine is built.])
  ])
  AM_CONDITIONAL([HAVE_DPDK], [test "x$vsw_have_dpdk" = xyes])
])

# libFuzzer targets need clang's -fsanitize=fuzzer runtime; optional.
AC_DEFUN([VSW_CHECK_FUZZER], [
  AC_ARG_ENABLE([fuzz],
    [AS_HELP_STRING([--disable-fuzz], [do not build libFuzzer targets])],
    [], [enable_fuzz=auto])
  vsw_have_fuzzer=no
  AS_IF([test "x$enable_fuzz" != xno], [
    AC_PATH_PROGS([FUZZ_CC], [clang clang-14], [no])
    AS_IF([test "x$FUZZ_CC" != xno], [
      AC_MSG_CHECKING([whether $FUZZ_CC supports -fsanitize=fuzzer])
      echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}' > conftest-fuzz.c
      AS_IF([$FUZZ_CC -fsanitize=fuzzer,address conftest-fuzz.c -o conftest-fuzz >/dev/null 2>&1],
        [vsw_have_fuzzer=yes], [])
      rm -f conftest-fuzz.c conftest-fuzz
      AC_MSG_RESULT([$vsw_have_fuzzer])
    ])
    AS_IF([test "x$enable_fuzz" = xyes && test "x$vsw_have_fuzzer" = xno],
      [AC_MSG_ERROR([clang with libFuzzer not found: apt-get install clang libclang-rt-14-dev])])
  ])
  AM_CONDITIONAL([HAVE_FUZZER], [test "x$vsw_have_fuzzer" = xyes])
])
