/* Unit tests for vswitchd's own logic: control request decoding and the
 * control socket end to end (mode 0600, one request per connection, errors
 * as one line), command dispatch (unknown commands, bad arguments, options),
 * OpenFlow port numbering, other_config knobs, the "used:" text of
 * dump-dp-flows and the flow-limit eviction target. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <event2/event.h>
#include <cmocka.h>

#include "vswitch/ctl-proto.h"
#include "utilities/ds.h"
#include "vswitchd/bridge.h"
#include "vswitchd/commands.h"
#include "vswitchd/ctl-server.h"
#include "vswitchd/revalidator.h"

/* Builds a request for ARGV into BUF; returns its length. */
static size_t
build_request(uint8_t *buf, size_t size, int argc, const char *argv[])
{
    struct vsw_ctl_request req = { VSW_CTL_MAGIC, argc };
    size_t ofs = sizeof req;

    assert_true(size >= ofs);
    memcpy(buf, &req, sizeof req);
    for (int i = 0; i < argc; i++) {
        uint32_t n = strlen(argv[i]);

        assert_true(ofs + 4 + n <= size);
        memcpy(buf + ofs, &n, 4);
        memcpy(buf + ofs + 4, argv[i], n);
        ofs += 4 + n;
    }
    return ofs;
}

static void
test_decode_good_and_partial(void **state VSW_UNUSED)
{
    const char *args[] = { "fdb-show", "br0", "--format=json" };
    uint8_t buf[256];
    size_t len = build_request(buf, sizeof buf, 3, args);
    struct vsw_error err;
    size_t consumed;
    char **argv;
    int argc;

    /* Every strict prefix asks for more. */
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(ctl_request_decode(buf, i, &argc, &argv, &consumed,
                                            &err), EAGAIN);
        assert_null(argv);
    }
    assert_int_equal(ctl_request_decode(buf, len, &argc, &argv, &consumed,
                                        &err), 0);
    assert_int_equal(argc, 3);
    assert_int_equal(consumed, len);
    assert_string_equal(argv[0], "fdb-show");
    assert_string_equal(argv[1], "br0");
    assert_string_equal(argv[2], "--format=json");
    assert_null(argv[3]);
    ctl_argv_free(argc, argv);
}

static void
test_decode_bad(void **state VSW_UNUSED)
{
    const char *args[] = { "version" };
    uint8_t buf[256];
    size_t len = build_request(buf, sizeof buf, 1, args);
    struct vsw_ctl_request req;
    struct vsw_error err;
    size_t consumed;
    char **argv;
    int argc;
    uint32_t n;

    /* Bad magic. */
    buf[0] ^= 0xff;
    vsw_error_clear(&err);
    assert_int_equal(ctl_request_decode(buf, len, &argc, &argv, &consumed,
                                        &err), EPROTO);
    assert_non_null(strstr(err.msg, "magic"));
    buf[0] ^= 0xff;

    /* No command. */
    req.magic = VSW_CTL_MAGIC;
    req.argc = 0;
    memcpy(buf, &req, sizeof req);
    assert_int_equal(ctl_request_decode(buf, len, &argc, &argv, &consumed,
                                        &err), EPROTO);

    /* Too many arguments: refused before reading them. */
    req.argc = VSW_CTL_MAX_ARGS + 1;
    memcpy(buf, &req, sizeof req);
    assert_int_equal(ctl_request_decode(buf, sizeof req, &argc, &argv,
                                        &consumed, &err), EPROTO);
    assert_non_null(strstr(err.msg, "arguments"));

    /* An argument longer than the limit: refused from its length alone. */
    req.argc = 1;
    memcpy(buf, &req, sizeof req);
    n = VSW_CTL_MAX_ARG + 1;
    memcpy(buf + sizeof req, &n, 4);
    assert_int_equal(ctl_request_decode(buf, sizeof req + 4, &argc, &argv,
                                        &consumed, &err), EPROTO);

    /* An embedded NUL. */
    len = build_request(buf, sizeof buf, 1, args);
    buf[sizeof req + 4 + 2] = '\0';
    assert_int_equal(ctl_request_decode(buf, len, &argc, &argv, &consumed,
                                        &err), EPROTO);
    assert_non_null(strstr(err.msg, "NUL"));
    assert_null(argv);
}

/* Random and mutated requests: every answer is 0, EAGAIN or EPROTO, never a
 * read outside the buffer (the sanitizer build checks that). */
static void
test_decode_random(void **state VSW_UNUSED)
{
    const char *args[] = { "trace", "br0", "in_port=p1" };
    uint8_t good[128], buf[128];
    size_t good_len = build_request(good, sizeof good, 3, args);
    unsigned int seed = 12345;
    int n_ok = 0, n_again = 0, n_proto = 0;

    for (int i = 0; i < 20000; i++) {
        struct vsw_error err;
        size_t len, consumed;
        char **argv;
        int argc, error;

        if (i % 2) {
            /* A valid request with a few bytes flipped. */
            memcpy(buf, good, good_len);
            len = good_len;
            for (int j = 0; j < 3; j++) {
                buf[rand_r(&seed) % len] ^= 1 << (rand_r(&seed) % 8);
            }
        } else {
            len = rand_r(&seed) % sizeof buf;
            for (size_t j = 0; j < len; j++) {
                buf[j] = rand_r(&seed);
            }
        }
        /* Exactly LEN bytes on the heap, so an over-read is caught. */
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        error = ctl_request_decode(copy, len, &argc, &argv, &consumed, &err);
        free(copy);
        if (!error) {
            assert_true(argc >= 1 && consumed <= len);
            ctl_argv_free(argc, argv);
            n_ok++;
        } else if (error == EAGAIN) {
            n_again++;
        } else {
            assert_int_equal(error, EPROTO);
            n_proto++;
        }
    }
    /* The mix exercised every outcome. */
    assert_true(n_ok > 0);
    assert_true(n_again > 0);
    assert_true(n_proto > 0);
}

/* ---- the server end to end ------------------------------------------ */

static int n_handled;

static int
echo_handler(void *aux VSW_UNUSED, int argc, char *argv[], struct ds *out)
{
    n_handled++;
    if (!strcmp(argv[0], "fail")) {
        ds_put_cstr(out, "it failed");
        return 1;
    }
    for (int i = 0; i < argc; i++) {
        ds_put_format(out, "%s%s", i ? " " : "", argv[i]);
    }
    return 0;
}

/* Sends LEN bytes of REQ to PATH and runs BASE until the reply (status and
 * text) is complete or the server closed; returns the status, -1 when the
 * connection closed without a reply. */
static int
roundtrip(struct event_base *base, const char *path, const void *req,
          size_t len, char *text, size_t text_size)
{
    struct sockaddr_un sun;
    struct vsw_ctl_reply reply;
    uint8_t buf[4096];
    size_t got = 0;
    int fd;

    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    assert_int_equal(write(fd, req, len), (ssize_t) len);

    for (int i = 0; i < 2000; i++) {
        ssize_t n;

        event_base_loop(base, EVLOOP_NONBLOCK);
        n = read(fd, buf + got, sizeof buf - got);
        if (n > 0) {
            got += n;
        } else if (n == 0) {
            break;
        } else {
            usleep(1000);
        }
    }
    close(fd);
    if (got < sizeof reply) {
        return -1;
    }
    memcpy(&reply, buf, sizeof reply);
    assert_int_equal(reply.magic, VSW_CTL_MAGIC);
    assert_int_equal(got, sizeof reply + reply.len);
    assert_true(reply.len < text_size);
    memcpy(text, buf + sizeof reply, reply.len);
    text[reply.len] = '\0';
    return reply.status;
}

static void
test_server(void **state VSW_UNUSED)
{
    char dir[] = "/tmp/test-vswitchd.XXXXXX";
    struct event_base *base = event_base_new();
    struct ctl_server *server, *other;
    const char *args[] = { "echo", "a", "b c" };
    const char *fail[] = { "fail" };
    struct vsw_error err;
    uint8_t req[256];
    char text[1024];
    char path[100];
    struct stat st;
    size_t len;

    assert_non_null(mkdtemp(dir));
    vsw_error_clear(&err);
    assert_int_equal(ctl_server_create(base, dir, echo_handler, NULL,
                                       &server, &err), 0);
    assert_int_equal(stat(ctl_server_path(server), &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);

    /* A second server on the same rundir is refused while we answer. */
    assert_int_equal(ctl_server_create(base, dir, echo_handler, NULL,
                                       &other, &err), EADDRINUSE);
    assert_non_null(strstr(err.msg, "already"));

    len = build_request(req, sizeof req, 3, args);
    assert_int_equal(roundtrip(base, ctl_server_path(server), req, len, text,
                               sizeof text), 0);
    assert_string_equal(text, "echo a b c");

    len = build_request(req, sizeof req, 1, fail);
    assert_int_equal(roundtrip(base, ctl_server_path(server), req, len, text,
                               sizeof text), 1);
    assert_string_equal(text, "it failed");

    /* Garbage: an error reply, the handler is not called, the server
     * lives on. */
    n_handled = 0;
    memset(req, 0x5a, 32);
    assert_int_equal(roundtrip(base, ctl_server_path(server), req, 32, text,
                               sizeof text), 1);
    assert_int_equal(n_handled, 0);
    assert_non_null(strstr(text, "magic"));
    len = build_request(req, sizeof req, 3, args);
    assert_int_equal(roundtrip(base, ctl_server_path(server), req, len, text,
                               sizeof text), 0);

    ctl_server_destroy(server);
    snprintf(path, sizeof path, "%s/%s", dir, VSW_CTL_SOCK_NAME);
    assert_int_equal(stat(path, &st), -1);

    /* A stale socket file (nobody listening) is replaced. */
    {
        struct sockaddr_un sun;
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);

        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
        assert_int_equal(bind(fd, (struct sockaddr *) &sun, sizeof sun), 0);
        close(fd);
        assert_int_equal(ctl_server_create(base, dir, echo_handler, NULL,
                                           &server, &err), 0);
        ctl_server_destroy(server);
    }
    rmdir(dir);
    event_base_free(base);
}

/* ---- command dispatch ----------------------------------------------- */

static int
run(const char *line, struct ds *out)
{
    char *copy = strdup(line), *save = NULL;
    char *argv[16];
    int argc = 0;
    int status;

    for (char *tok = strtok_r(copy, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        argv[argc++] = tok;
    }
    ds_clear(out);
    status = commands_handle(NULL, argc, argv, out);
    free(copy);
    return status;
}

static void
test_commands(void **state VSW_UNUSED)
{
    struct ds out = DS_EMPTY;

    memset(&vswd, 0, sizeof vswd);
    hmap_init(&vswd.bridges);
    hmap_init(&vswd.engines);

    assert_int_equal(run("no-such-command", &out), 1);
    assert_non_null(strstr(ds_cstr(&out), "unknown command 'no-such-command'"));
    assert_null(strchr(ds_cstr(&out), '\n'));

    assert_int_equal(run("version", &out), 0);
    assert_non_null(strstr(ds_cstr(&out), PACKAGE_VERSION));
    assert_int_equal(run("version --format=json", &out), 0);
    assert_non_null(strstr(ds_cstr(&out), "\"version\":\"" PACKAGE_VERSION));
    assert_int_equal(run("version --format=yaml", &out), 1);
    assert_non_null(strstr(ds_cstr(&out), "unknown format"));
    assert_int_equal(run("version extra", &out), 1);
    assert_int_equal(run("version --bogus", &out), 1);
    assert_non_null(strstr(ds_cstr(&out), "unknown option '--bogus'"));

    assert_int_equal(run("fdb-show", &out), 1);
    assert_int_equal(run("fdb-show br9", &out), 1);
    assert_string_equal(ds_cstr(&out), "no bridge named br9");
    assert_int_equal(run("trace br9 in_port=1", &out), 1);
    assert_string_equal(ds_cstr(&out), "no bridge named br9");
    /* --generate belongs to trace only. */
    assert_int_equal(run("fdb-show br9 --generate", &out), 1);
    assert_non_null(strstr(ds_cstr(&out), "unknown option"));

    assert_int_equal(run("dump-dp-flows br9", &out), 1);
    assert_int_equal(run("dump-dp-flows", &out), 0);
    assert_string_equal(ds_cstr(&out), "");
    assert_int_equal(run("dump-dp-flows --format=json", &out), 0);
    assert_string_equal(ds_cstr(&out), "[]\n");
    assert_int_equal(run("dp-show --format=json", &out), 0);
    assert_string_equal(ds_cstr(&out), "[]\n");
    assert_int_equal(run("upcall-show", &out), 0);
    assert_string_equal(ds_cstr(&out), "");

    assert_int_equal(run("pmd-stats-show", &out), 1);
    assert_string_equal(ds_cstr(&out), "no dpdk datapath");
    assert_int_equal(run("pmd-rxq-show", &out), 1);

    assert_int_equal(run("list-commands", &out), 0);
    assert_non_null(strstr(ds_cstr(&out), "dump-dp-flows"));
    assert_non_null(strstr(ds_cstr(&out), "trace"));
    ds_destroy(&out);
    hmap_destroy(&vswd.bridges);
    hmap_destroy(&vswd.engines);
}

/* ---- small pure helpers --------------------------------------------- */

static bool
used_set(uint32_t p, void *set_)
{
    const uint32_t *set = set_;

    for (; *set; set++) {
        if (*set == p) {
            return true;
        }
    }
    return false;
}

static void
test_pick_ofport(void **state VSW_UNUSED)
{
    uint32_t none[] = { 0 };
    uint32_t some[] = { 1, 2, 4, 0 };

    assert_int_equal(bridge_pick_ofport(-1, used_set, none), 1);
    assert_int_equal(bridge_pick_ofport(7, used_set, none), 7);
    /* The DB's number is kept when free. */
    assert_int_equal(bridge_pick_ofport(5, used_set, some), 5);
    /* Taken or invalid: the smallest free number. */
    assert_int_equal(bridge_pick_ofport(2, used_set, some), 3);
    assert_int_equal(bridge_pick_ofport(0, used_set, some), 3);
    assert_int_equal(bridge_pick_ofport(0xff00, used_set, some), 3);
    assert_int_equal(bridge_pick_ofport(-1, used_set, some), 3);
}

static void
test_knob(void **state VSW_UNUSED)
{
    struct vsdb_smap br = VSDB_SMAP_INITIALIZER;
    struct vsdb_smap global = VSDB_SMAP_INITIALIZER;

    assert_int_equal(bridge_knob(&br, &global, "flow-limit", 1, 100, 42), 42);
    vsdb_smap_add(&global, "flow-limit", "50");
    assert_int_equal(bridge_knob(&br, &global, "flow-limit", 1, 100, 42), 50);
    /* The bridge's value wins. */
    vsdb_smap_add(&br, "flow-limit", "7");
    assert_int_equal(bridge_knob(&br, &global, "flow-limit", 1, 100, 42), 7);
    /* Out of range: the nearest bound (not the default: vsctl accepted
     * the number); not a number: the next source. */
    vsdb_smap_add(&br, "flow-limit", "1000");
    assert_int_equal(bridge_knob(&br, &global, "flow-limit", 1, 100, 42), 100);
    vsdb_smap_add(&br, "flow-limit", "0");
    assert_int_equal(bridge_knob(&br, &global, "flow-limit", 1, 100, 42), 1);
    vsdb_smap_add(&br, "flow-limit", "many");
    assert_int_equal(bridge_knob(&br, &global, "flow-limit", 1, 100, 42), 50);
    vsdb_smap_add(&global, "flow-limit", "lots");
    assert_int_equal(bridge_knob(&br, &global, "flow-limit", 1, 100, 42), 42);
    assert_int_equal(bridge_knob(NULL, NULL, "flow-limit", 1, 100, 42), 42);
    vsdb_smap_destroy(&br);
    vsdb_smap_destroy(&global);
}

static void
test_used_text(void **state VSW_UNUSED)
{
    struct ds s = DS_EMPTY;

    commands_format_used(0, 5000, &s);
    assert_string_equal(ds_cstr(&s), "never");
    ds_clear(&s);
    commands_format_used(4600, 5000, &s);
    assert_string_equal(ds_cstr(&s), "0.4s");
    ds_clear(&s);
    commands_format_used(1000, 13250, &s);
    assert_string_equal(ds_cstr(&s), "12.2s");
    ds_clear(&s);
    /* A use stamped after our clock read is "now", not a huge age. */
    commands_format_used(6000, 5000, &s);
    assert_string_equal(ds_cstr(&s), "0.0s");
    ds_destroy(&s);
}

static void
test_evict_target(void **state VSW_UNUSED)
{
    assert_int_equal(revalidator_evict_target(200000), 180000);
    assert_int_equal(revalidator_evict_target(10), 9);
    assert_int_equal(revalidator_evict_target(5), 4);
    assert_int_equal(revalidator_evict_target(1), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_good_and_partial),
        cmocka_unit_test(test_decode_bad),
        cmocka_unit_test(test_decode_random),
        cmocka_unit_test(test_server),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_pick_ofport),
        cmocka_unit_test(test_knob),
        cmocka_unit_test(test_used_text),
        cmocka_unit_test(test_evict_target),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
