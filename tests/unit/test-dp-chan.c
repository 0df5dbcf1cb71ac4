/* Unit tests for datapath/dp-chan.c: datagrams over a socketpair and over a
 * real listening socket in a temporary directory (stale and live socket
 * files, permissions, peer credentials, truncation, end of file). */
#include <config.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datapath/dp-chan.h"

struct fixture {
    char dir[64];
    char path[128];
};

static int
setup_dir(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    strcpy(f->dir, "/tmp/test-dp-chan.XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/dp-test.sock", f->dir);
    *state = f;
    return 0;
}

static int
teardown_dir(void **state)
{
    struct fixture *f = *state;

    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void
pair(struct vsw_chan *a, struct vsw_chan *b)
{
    int fds[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0,
                                fds), 0);
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    a->fd = fds[0];
    b->fd = fds[1];
}

static void
fill_three(struct vsw_dgram *dg)
{
    struct vsw_msg m;

    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH, NLM_F_REQUEST, 1, 2);
    assert_int_equal(vsw_msg_encode(&m, dg), 0);
    assert_int_equal(vsw_msg_encode_error(dg, VSW_FAMILY_FLOW, 1, ENOENT,
                                          "no such datapath"), 0);
    assert_int_equal(vsw_msg_encode_done(dg, 1), 0);
}

static int
count_cb(const struct vsw_msg *m, void *aux)
{
    (void) m;
    ++*(int *) aux;
    return 0;
}

static void
test_socketpair(void **state)
{
    struct vsw_chan a, b;
    struct vsw_dgram tx, rx;
    struct vsw_error err;
    uint64_t start;
    int n = 0;

    (void) state;
    pair(&a, &b);
    vsw_dgram_init(&tx);
    memset(&rx, 0, sizeof rx);          /* recv allocates it */

    /* Nothing waiting. */
    assert_int_equal(vsw_chan_recv(&b, &rx), EAGAIN);
    start = vsw_time_msec();
    assert_int_equal(vsw_chan_recv_wait(&b, &rx, 50), ETIMEDOUT);
    assert_true(vsw_time_msec() - start >= 50);
    assert_int_equal(vsw_chan_recv_wait(&b, &rx, 0), ETIMEDOUT);

    /* Three messages in one datagram arrive as one datagram. */
    fill_three(&tx);
    assert_int_equal(vsw_chan_send(&a, &tx), 0);
    assert_int_equal(vsw_chan_recv_wait(&b, &rx, 1000), 0);
    assert_int_equal(rx.len, tx.len);
    assert_int_equal(rx.cap, VSW_DP_MAX_DATAGRAM);
    assert_memory_equal(rx.data, tx.data, tx.len);
    assert_int_equal(vsw_dgram_for_each(&rx, count_cb, NULL, &n, &err), 0);
    assert_int_equal(n, 3);

    /* Boundaries are kept: two sends, two receives. */
    assert_int_equal(vsw_chan_send(&a, &tx), 0);
    assert_int_equal(vsw_chan_send(&b, &tx), 0);
    assert_int_equal(vsw_chan_send(&a, &tx), 0);
    assert_int_equal(vsw_chan_recv(&b, &rx), 0);
    assert_int_equal(rx.len, tx.len);
    assert_int_equal(vsw_chan_recv(&b, &rx), 0);
    assert_int_equal(rx.len, tx.len);
    assert_int_equal(vsw_chan_recv(&b, &rx), EAGAIN);
    assert_int_equal(vsw_chan_recv(&a, &rx), 0);

    /* An empty datagram would look like end of file: refused. */
    vsw_dgram_clear(&tx);
    assert_int_equal(vsw_chan_send(&a, &tx), EINVAL);

    /* The peer goes away: EPIPE both ways, no SIGPIPE. */
    fill_three(&tx);
    vsw_chan_close(&a);
    assert_int_equal(a.fd, -1);
    assert_int_equal(vsw_chan_recv(&b, &rx), EPIPE);
    assert_int_equal(vsw_chan_recv_wait(&b, &rx, 1000), EPIPE);
    assert_int_equal(vsw_chan_send(&b, &tx), EPIPE);
    assert_int_equal(vsw_chan_send(&a, &tx), ENOTCONN);
    assert_int_equal(vsw_chan_recv(&a, &rx), ENOTCONN);

    vsw_chan_close(&b);
    vsw_dgram_destroy(&tx);
    vsw_dgram_destroy(&rx);
}

static void
test_sizes(void **state)
{
    struct vsw_chan a, b;
    struct vsw_dgram rx;
    uint8_t *big = calloc(1, VSW_DP_MAX_DATAGRAM + 8);
    int size = 4 * VSW_DP_MAX_DATAGRAM;

    (void) state;
    pair(&a, &b);
    assert_int_equal(setsockopt(a.fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
                                sizeof size) == 0
                     || setsockopt(a.fd, SOL_SOCKET, SO_SNDBUF, &size,
                                   sizeof size) == 0, 1);
    vsw_dgram_init(&rx);
    rx.cap = 64;                        /* recv grows it back */

    /* The largest datagram fits exactly. */
    {
        struct vsw_dgram tx = {
            .data = big, .len = VSW_DP_MAX_DATAGRAM,
            .cap = VSW_DP_MAX_DATAGRAM,
        };

        big[VSW_DP_MAX_DATAGRAM - 1] = 0x5a;
        assert_int_equal(vsw_chan_send(&a, &tx), 0);
        assert_int_equal(vsw_chan_recv(&b, &rx), 0);
        assert_int_equal(rx.len, VSW_DP_MAX_DATAGRAM);
        assert_int_equal(rx.data[VSW_DP_MAX_DATAGRAM - 1], 0x5a);

        /* vsw_chan_send refuses to send more. */
        tx.len = VSW_DP_MAX_DATAGRAM + 4;
        assert_int_equal(vsw_chan_send(&a, &tx), EMSGSIZE);
    }

    /* A peer that sends more is detected, not silently cut; the next
     * datagram is unaffected. */
    assert_int_equal(send(a.fd, big, VSW_DP_MAX_DATAGRAM + 4, 0),
                     VSW_DP_MAX_DATAGRAM + 4);
    assert_int_equal(send(a.fd, "abcd", 4, 0), 4);
    assert_int_equal(vsw_chan_recv(&b, &rx), EMSGSIZE);
    assert_int_equal(vsw_chan_recv(&b, &rx), 0);
    assert_int_equal(rx.len, 4);
    assert_memory_equal(rx.data, "abcd", 4);

    vsw_chan_close(&a);
    vsw_chan_close(&b);
    vsw_dgram_destroy(&rx);
    free(big);
}

static void
test_send_full(void **state)
{
    struct vsw_chan a, b;
    struct vsw_dgram tx, rx;
    int n = 0, error;

    (void) state;
    pair(&a, &b);
    vsw_dgram_init(&tx);
    vsw_dgram_init(&rx);
    memset(tx.data, 0, 64 * 1024);
    tx.len = 64 * 1024;
    /* Nobody reads: a nonblocking sender is told to wait, not blocked. */
    while ((error = vsw_chan_send(&a, &tx)) == 0) {
        n++;
        assert_true(n < 10000);
    }
    assert_int_equal(error, EAGAIN);
    assert_true(n >= 1);
    /* Reading one makes room again. */
    assert_int_equal(vsw_chan_recv(&b, &rx), 0);
    assert_int_equal(vsw_chan_send(&a, &tx), 0);
    vsw_chan_close(&a);
    vsw_chan_close(&b);
    vsw_dgram_destroy(&tx);
    vsw_dgram_destroy(&rx);
}

static void
test_listen_connect_accept(void **state)
{
    struct fixture *f = *state;
    struct vsw_chan server, client, blocking;
    struct vsw_dgram tx, rx;
    struct stat st;
    int lfd, flags;

    vsw_dgram_init(&tx);
    vsw_dgram_init(&rx);
    assert_int_equal(vsw_chan_listen(f->path, &lfd), 0);
    assert_int_equal(lstat(f->path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_true(fcntl(lfd, F_GETFL) & O_NONBLOCK);

    /* No client yet. */
    assert_int_equal(vsw_chan_accept(lfd, &server), EAGAIN);
    assert_int_equal(server.fd, -1);

    /* A nonblocking client and a blocking one. */
    assert_int_equal(vsw_chan_connect(f->path, false, &client), 0);
    assert_true(fcntl(client.fd, F_GETFL) & O_NONBLOCK);
    assert_int_equal(client.peer_uid, geteuid());
    assert_int_equal(client.peer_pid, getpid());
    assert_int_equal(client.next_seq, 1);
    assert_int_equal(vsw_chan_connect(f->path, true, &blocking), 0);
    flags = fcntl(blocking.fd, F_GETFL);
    assert_false(flags & O_NONBLOCK);

    assert_int_equal(vsw_chan_accept(lfd, &server), 0);
    assert_true(fcntl(server.fd, F_GETFL) & O_NONBLOCK);
    assert_int_equal(server.peer_uid, geteuid());
    assert_int_equal(server.peer_pid, getpid());

    /* Both directions. */
    fill_three(&tx);
    assert_int_equal(vsw_chan_send(&client, &tx), 0);
    assert_int_equal(vsw_chan_recv_wait(&server, &rx, 1000), 0);
    assert_memory_equal(rx.data, tx.data, tx.len);
    assert_int_equal(vsw_chan_send(&server, &tx), 0);
    assert_int_equal(vsw_chan_recv_wait(&client, &rx, 1000), 0);
    assert_int_equal(rx.len, tx.len);

    /* The blocking client's recv still never blocks; recv_wait does. */
    assert_int_equal(vsw_chan_recv(&blocking, &rx), EAGAIN);
    vsw_chan_close(&server);
    assert_int_equal(vsw_chan_accept(lfd, &server), 0);
    vsw_chan_close(&server);
    assert_int_equal(vsw_chan_recv_wait(&blocking, &rx, 1000), EPIPE);

    vsw_chan_close(&client);
    vsw_chan_close(&blocking);
    close(lfd);
    vsw_dgram_destroy(&tx);
    vsw_dgram_destroy(&rx);
}

static void
test_stale_and_live(void **state)
{
    struct fixture *f = *state;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct vsw_chan client, server;
    int lfd, lfd2, fd;

    /* A socket file left behind by a dead server. */
    strcpy(sun.sun_path, f->path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    assert_int_equal(bind(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    close(fd);
    assert_int_equal(vsw_chan_connect(f->path, true, &client), ECONNREFUSED);
    assert_int_equal(vsw_chan_listen(f->path, &lfd), 0);
    assert_int_equal(vsw_chan_connect(f->path, false, &client), 0);
    assert_int_equal(vsw_chan_accept(lfd, &server), 0);
    vsw_chan_close(&server);
    vsw_chan_close(&client);

    /* A live one is left alone. */
    assert_int_equal(vsw_chan_listen(f->path, &lfd2), EADDRINUSE);
    assert_int_equal(lfd2, -1);
    assert_int_equal(vsw_chan_connect(f->path, false, &client), 0);
    /* (the probe connection of the refused listen is queued first) */
    assert_int_equal(vsw_chan_accept(lfd, &server), 0);
    vsw_chan_close(&server);
    assert_int_equal(vsw_chan_accept(lfd, &server), 0);
    vsw_chan_close(&server);
    vsw_chan_close(&client);
    close(lfd);
    unlink(f->path);

    /* Not a socket: never deleted. */
    fd = open(f->path, O_CREAT | O_WRONLY, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(vsw_chan_listen(f->path, &lfd), EEXIST);
    assert_int_equal(access(f->path, F_OK), 0);
    unlink(f->path);

    /* Nothing there. */
    assert_int_equal(vsw_chan_connect(f->path, true, &client), ENOENT);
    assert_int_equal(client.fd, -1);
}

static void
test_paths(void **state)
{
    char buf[256], longdir[200];
    struct vsw_chan c;
    int lfd;

    (void) state;
    assert_int_equal(vsw_chan_path("/run/vswitch", "xdp", buf, sizeof buf), 0);
    assert_string_equal(buf, "/run/vswitch/dp-xdp.sock");
    assert_int_equal(vsw_chan_path("/run/vswitch", "dummy", buf, 10),
                     ENAMETOOLONG);
    assert_int_equal(vsw_chan_path("/run", "../x", buf, sizeof buf), EINVAL);
    assert_int_equal(vsw_chan_path("/run", "", buf, sizeof buf), EINVAL);
    /* sun_path holds 107 characters. */
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[0] = '/';
    longdir[sizeof longdir - 1] = '\0';
    assert_int_equal(vsw_chan_path(longdir, "xdp", buf, sizeof buf),
                     ENAMETOOLONG);
    assert_int_equal(vsw_chan_listen(longdir, &lfd), ENAMETOOLONG);
    assert_int_equal(vsw_chan_connect(longdir, true, &c), ENAMETOOLONG);
}

/* Credentials: a client running as another user is turned away even if the
 * socket's permissions would let it in. */
static void
test_peer_credentials(void **state)
{
    struct fixture *f = *state;
    struct vsw_chan server;
    pid_t pid;
    int lfd, status, error;

    if (geteuid() != 0) {
        skip();
    }
    assert_int_equal(vsw_chan_listen(f->path, &lfd), 0);
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(chmod(f->path, 0666), 0);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct vsw_chan c;
        char byte;

        if (setgid(65534) || setuid(65534)) {
            _exit(2);
        }
        if (vsw_chan_connect(f->path, true, &c)) {
            _exit(3);
        }
        /* The server closes us: read returns end of file. */
        _exit(read(c.fd, &byte, 1) == 0 ? 0 : 4);
    }
    do {
        usleep(10000);
        error = vsw_chan_accept(lfd, &server);
    } while (error == EAGAIN);
    assert_int_equal(error, EPERM);
    assert_int_equal(server.fd, -1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(lfd);
}

struct late_sender {
    struct vsw_chan *chan;
    struct vsw_dgram *dg;
};

static void *
late_send(void *aux_)
{
    struct late_sender *s = aux_;

    usleep(50 * 1000);
    vsw_chan_send(s->chan, s->dg);
    return NULL;
}

static void
test_recv_wait_wakes(void **state)
{
    struct vsw_chan a, b;
    struct vsw_dgram tx, rx;
    struct late_sender s = { &a, &tx };
    pthread_t thread;
    uint64_t start;

    (void) state;
    pair(&a, &b);
    vsw_dgram_init(&tx);
    vsw_dgram_init(&rx);
    fill_three(&tx);
    start = vsw_time_msec();
    assert_int_equal(pthread_create(&thread, NULL, late_send, &s), 0);
    assert_int_equal(vsw_chan_recv_wait(&b, &rx, -1), 0);
    assert_true(vsw_time_msec() - start >= 40);
    assert_int_equal(rx.len, tx.len);
    pthread_join(thread, NULL);
    vsw_chan_close(&a);
    vsw_chan_close(&b);
    vsw_dgram_destroy(&tx);
    vsw_dgram_destroy(&rx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_socketpair),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_send_full),
        cmocka_unit_test(test_recv_wait_wakes),
        cmocka_unit_test(test_paths),
        cmocka_unit_test_setup_teardown(test_listen_connect_accept, setup_dir,
                                        teardown_dir),
        cmocka_unit_test_setup_teardown(test_stale_and_live, setup_dir,
                                        teardown_dir),
        cmocka_unit_test_setup_teardown(test_peer_credentials, setup_dir,
                                        teardown_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
