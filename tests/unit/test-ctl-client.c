/* Unit tests for utilities/ctl-client.c, the client side of vswitchd's
 * control socket: a forked server plays a well-behaved or a broken
 * vswitchd, and every failure must come back as an errno and a sentence
 * within the time limit, never as a hang or a crash. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "utilities/ctl-client.h"
#include "utilities/ds.h"
#include "utilities/util.h"
#include "vswitch/ctl-proto.h"

enum behavior {
    ECHO,           /* status 0, the arguments joined by '|' */
    STATUS2,        /* status 2, "no bridge named x" */
    BAD_MAGIC,
    TOO_LONG,       /* declares a reply longer than VSW_CTL_MAX_REPLY */
    CLOSE,          /* closes without answering */
    SHORT,          /* declares 10 bytes, sends 3, closes */
    SILENT,         /* never answers */
};

struct fixture {
    char dir[64];
    pid_t server;
};

static int
setup(void **state)
{
    struct fixture *f = xzalloc(sizeof *f);
    strcpy(f->dir, "/tmp/test-ctl.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    if (f->server > 0) {
        kill(f->server, SIGKILL);
        waitpid(f->server, NULL, 0);
    }
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

static int
bind_socket(const char *dir)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s/%s", dir,
             VSW_CTL_SOCK_NAME);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    return fd;
}

static bool
read_exact(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            return false;
        }
        p += r;
        n -= r;
    }
    return true;
}

static void
reply(int fd, uint32_t magic, uint32_t status, uint32_t len,
      const char *body, size_t body_len)
{
    struct vsw_ctl_reply rep = { magic, status, len, 0 };
    if (write(fd, &rep, sizeof rep) != sizeof rep
        || (body_len && write(fd, body, body_len) != (ssize_t) body_len)) {
        _exit(1);
    }
}

/* Serves one connection in a child process, as BEHAVIOR says. */
static void
start_server(struct fixture *f, enum behavior behavior)
{
    int lfd = bind_socket(f->dir);
    assert_int_equal(listen(lfd, 4), 0);
    f->server = fork();
    assert_true(f->server >= 0);
    if (f->server) {
        close(lfd);
        return;
    }

    int fd = accept(lfd, NULL, NULL);
    struct vsw_ctl_request req;
    if (fd < 0 || !read_exact(fd, &req, sizeof req)
        || req.magic != VSW_CTL_MAGIC) {
        _exit(1);
    }
    struct ds args = DS_EMPTY;
    for (uint32_t i = 0; i < req.argc; i++) {
        uint32_t len;
        char buf[256];
        if (!read_exact(fd, &len, sizeof len) || len >= sizeof buf
            || !read_exact(fd, buf, len)) {
            _exit(1);
        }
        buf[len] = '\0';
        ds_put_format(&args, "%s%s", i ? "|" : "", buf);
    }
    switch (behavior) {
    case ECHO:
        reply(fd, VSW_CTL_MAGIC, 0, args.len, ds_cstr(&args), args.len);
        break;
    case STATUS2:
        reply(fd, VSW_CTL_MAGIC, 2, 17, "no bridge named x", 17);
        break;
    case BAD_MAGIC:
        reply(fd, 0x12345678, 0, 0, NULL, 0);
        break;
    case TOO_LONG:
        reply(fd, VSW_CTL_MAGIC, 0, VSW_CTL_MAX_REPLY + 1, NULL, 0);
        break;
    case CLOSE:
        break;
    case SHORT:
        reply(fd, VSW_CTL_MAGIC, 0, 10, "abc", 3);
        break;
    case SILENT:
        sleep(30);
        break;
    }
    close(fd);
    _exit(0);
}

static int
call(struct fixture *f, int argc, char **argv, int timeout_ms, int *status,
     char **out, struct vsw_error *err)
{
    size_t len;
    int error = vsw_ctl_call(f->dir, argc, argv, timeout_ms, status, out,
                             &len, err);
    if (!error) {
        assert_int_equal(strlen(*out), len);
    } else {
        assert_null(*out);
        assert_int_equal(err->code, error);
        assert_true(err->msg[0] != '\0');
    }
    return error;
}

static void
test_roundtrip(void **state)
{
    struct fixture *f = *state;
    start_server(f, ECHO);
    char *argv[] = { "trace", "br0", "in_port=p1, ip", "", "--generate" };
    int status = -1;
    char *out;
    struct vsw_error err = { 0 };
    assert_int_equal(call(f, 5, argv, 2000, &status, &out, &err), 0);
    assert_int_equal(status, 0);
    assert_string_equal(out, "trace|br0|in_port=p1, ip||--generate");
    free(out);
}

static void
test_status(void **state)
{
    struct fixture *f = *state;
    start_server(f, STATUS2);
    char *argv[] = { "fdb-show", "x" };
    int status = -1;
    char *out;
    struct vsw_error err = { 0 };
    assert_int_equal(call(f, 2, argv, 2000, &status, &out, &err), 0);
    assert_int_equal(status, 2);
    assert_string_equal(out, "no bridge named x");
    free(out);
}

static void
check_broken(struct fixture *f, enum behavior b, int want, const char *msg)
{
    start_server(f, b);
    char *argv[] = { "poke" };
    int status;
    char *out;
    struct vsw_error err = { 0 };
    uint64_t t0 = vsw_time_msec();
    assert_int_equal(call(f, 1, argv, 300, &status, &out, &err), want);
    assert_true(vsw_time_msec() - t0 < 3000);
    assert_non_null(strstr(err.msg, msg));
}

static void
test_bad_magic(void **state)
{
    check_broken(*state, BAD_MAGIC, EPROTO, "malformed reply");
}

static void
test_too_long(void **state)
{
    check_broken(*state, TOO_LONG, EPROTO, "malformed reply");
}

static void
test_closed(void **state)
{
    check_broken(*state, CLOSE, EPROTO, "malformed reply");
}

static void
test_short(void **state)
{
    check_broken(*state, SHORT, EPROTO, "malformed reply");
}

static void
test_timeout(void **state)
{
    check_broken(*state, SILENT, ETIMEDOUT, "did not answer");
}

static void
test_not_running(void **state)
{
    struct fixture *f = *state;
    char *argv[] = { "poke" };
    int status;
    char *out;
    struct vsw_error err = { 0 };

    assert_int_equal(call(f, 1, argv, 300, &status, &out, &err), ENOENT);
    char *want = xasprintf("vswitchd is not running (no %s/vswitchd.ctl)",
                           f->dir);
    assert_string_equal(err.msg, want);
    free(want);

    /* A socket file nobody listens on (a crashed vswitchd). */
    close(bind_socket(f->dir));
    assert_int_equal(call(f, 1, argv, 300, &status, &out, &err),
                     ECONNREFUSED);
    assert_non_null(strstr(err.msg, "refuses connections"));
}

static void
test_bad_requests(void **state)
{
    struct fixture *f = *state;
    int status;
    char *out;
    struct vsw_error err = { 0 };
    char *many[VSW_CTL_MAX_ARGS + 1];
    for (int i = 0; i <= VSW_CTL_MAX_ARGS; i++) {
        many[i] = "x";
    }
    assert_int_equal(call(f, VSW_CTL_MAX_ARGS + 1, many, 300, &status, &out,
                          &err), E2BIG);
    assert_int_equal(call(f, 0, many, 300, &status, &out, &err), E2BIG);

    char *big = xmalloc(VSW_CTL_MAX_ARG + 2);
    memset(big, 'a', VSW_CTL_MAX_ARG + 1);
    big[VSW_CTL_MAX_ARG + 1] = '\0';
    char *argv[] = { big };
    assert_int_equal(call(f, 1, argv, 300, &status, &out, &err), EINVAL);
    free(big);

    char longdir[200];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[sizeof longdir - 1] = '\0';
    char *poke[] = { "poke" };
    size_t len;
    assert_int_equal(vsw_ctl_call(longdir, 1, poke, 300, &status, &out, &len,
                                  &err), ENAMETOOLONG);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_magic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
