/* See daemon.h. */
#include <config.h>
#include "utilities/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "utilities/util.h"

static int pidfile_fd = -1;
static char *pidfile_path;

int
vsw_daemon_start(void)
{
    int fds[2];
    pid_t pid;

    if (pipe(fds) < 0) {
        vsw_fatal("pipe: %s", strerror(errno));
    }
    pid = fork();
    if (pid < 0) {
        vsw_fatal("fork: %s", strerror(errno));
    }
    if (pid > 0) {
        ssize_t n;
        char c;

        close(fds[1]);
        do {
            n = read(fds[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        _exit(n == 1 && c == '0' ? 0 : 1);
    }
    close(fds[0]);
    setsid();
    return fds[1];
}

void
vsw_daemon_ready(int ready_fd)
{
    int null;

    if (ready_fd < 0) {
        return;
    }
    null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) {
            close(null);
        }
    }
    if (write(ready_fd, "0", 1) != 1) {
        /* The parent is gone: nobody to tell. */
    }
    close(ready_fd);
}

void
vsw_pidfile_create(const char *path, const char *what)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    char buf[32];
    int n;

    if (fd < 0) {
        vsw_fatal("cannot open pidfile %s: %s", path, strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        ssize_t len = pread(fd, buf, sizeof buf - 1, 0);

        buf[len > 0 ? len : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        vsw_fatal("pidfile %s is locked: %s is already running (pid %s)",
                  path, what, buf[0] ? buf : "unknown");
    }
    n = snprintf(buf, sizeof buf, "%ld\n", (long) getpid());
    if (ftruncate(fd, 0) < 0 || write(fd, buf, n) != n) {
        vsw_fatal("cannot write pidfile %s: %s", path, strerror(errno));
    }
    pidfile_fd = fd;
    pidfile_path = xstrdup(path);
}

void
vsw_pidfile_remove(void)
{
    if (pidfile_path) {
        unlink(pidfile_path);
        close(pidfile_fd);
        free(pidfile_path);
        pidfile_path = NULL;
        pidfile_fd = -1;
    }
}
