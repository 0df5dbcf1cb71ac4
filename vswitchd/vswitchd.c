/* vswitchd: the slow path.  Options, daemonizing, signals and the libevent
 * loop; the work is done by bridge.c (reconcile), upcall.c, revalidator.c
 * and commands.c (control socket commands).
 *
 *   vswitchd --db=FILE --rundir=DIR [--detach] [--pidfile[=FILE]]
 *            [--log-file[=FILE]] [--log-level=LEVEL]
 *
 * SIGTERM and SIGINT stop the daemon without touching the datapaths: their
 * flows keep forwarding and the next vswitchd adopts them.  SIGHUP reopens
 * the log file (for logrotate). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <event2/event.h>

#include "db/vsdb.h"
#include "vswitchd/bridge.h"
#include "vswitchd/ctl-server.h"
#include "utilities/daemon.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(vswitchd);

struct options {
    char *db;
    char *rundir;
    bool detach;
    char *pidfile;
    char *log_file;
};

static struct event_base *base;

static void VSW_NORETURN
usage(void)
{
    printf("%s: the vswitch slow path daemon\n"
           "usage: %s [OPTIONS]\n"
           "  --db=FILE          configuration database (default %s,\n"
           "                     or $VSWITCH_DB)\n"
           "  --rundir=DIR       runtime directory: control socket and\n"
           "                     datapathd sockets (default %s,\n"
           "                     or $VSWITCH_RUNDIR)\n"
           "  --detach           run in the background\n"
           "  --pidfile[=FILE]   write the process id (default\n"
           "                     RUNDIR/vswitchd.pid)\n"
           "  --log-file[=FILE]  log to FILE (default RUNDIR/vswitchd.log)\n"
           "  --log-level=LEVEL  err, warn, info (default) or dbg\n"
           "  -V, --version      print the version and exit\n"
           "  -h, --help         print this help and exit\n",
           vsw_program_name(), vsw_program_name(), VSDB_DEFAULT_DB,
           VSDB_DEFAULT_RUNDIR);
    exit(0);
}

/* Makes PATH absolute against the current directory, so that --detach's
 * chdir("/") does not change what it names. */
static char *
abs_path(const char *path)
{
    char cwd[PATH_MAX];

    if (path[0] == '/' || !getcwd(cwd, sizeof cwd)) {
        return xstrdup(path);
    }
    return xasprintf("%s/%s", cwd, path);
}

static void
parse_options(int argc, char *argv[], struct options *opts)
{
    enum {
        OPT_DB = 256, OPT_RUNDIR, OPT_DETACH, OPT_PIDFILE, OPT_LOG_FILE,
        OPT_LOG_LEVEL,
    };
    static const struct option long_options[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "rundir", required_argument, NULL, OPT_RUNDIR },
        { "detach", no_argument, NULL, OPT_DETACH },
        { "pidfile", optional_argument, NULL, OPT_PIDFILE },
        { "log-file", optional_argument, NULL, OPT_LOG_FILE },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *env;
    bool pidfile = false, log_file = false;

    memset(opts, 0, sizeof *opts);
    env = getenv("VSWITCH_DB");
    opts->db = xstrdup(env && env[0] ? env : VSDB_DEFAULT_DB);
    env = getenv("VSWITCH_RUNDIR");
    opts->rundir = xstrdup(env && env[0] ? env : VSDB_DEFAULT_RUNDIR);

    for (;;) {
        int c = getopt_long(argc, argv, "Vh", long_options, NULL);
        enum vsw_log_level level;

        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_DB:
            free(opts->db);
            opts->db = xstrdup(optarg);
            break;
        case OPT_RUNDIR:
            free(opts->rundir);
            opts->rundir = xstrdup(optarg);
            break;
        case OPT_DETACH:
            opts->detach = true;
            break;
        case OPT_PIDFILE:
            pidfile = true;
            free(opts->pidfile);
            opts->pidfile = optarg ? xstrdup(optarg) : NULL;
            break;
        case OPT_LOG_FILE:
            log_file = true;
            free(opts->log_file);
            opts->log_file = optarg ? xstrdup(optarg) : NULL;
            break;
        case OPT_LOG_LEVEL:
            if (!vsw_log_parse_level(optarg, &level)) {
                vsw_fatal("unknown log level '%s' (use err, warn, info or "
                          "dbg)", optarg);
            }
            vsw_log_set_level(level);
            break;
        case 'V':
            printf("vswitchd (vswitch) %s\n", PACKAGE_VERSION);
            exit(0);
        case 'h':
            usage();
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n",
                    vsw_program_name());
            exit(1);
        }
    }
    if (optind < argc) {
        vsw_fatal("unexpected argument '%s' (see --help)", argv[optind]);
    }
    if (!opts->rundir[0] || !opts->db[0]) {
        vsw_fatal("--db and --rundir must not be empty");
    }

    char *p = abs_path(opts->db);
    free(opts->db);
    opts->db = p;
    p = abs_path(opts->rundir);
    free(opts->rundir);
    opts->rundir = p;
    if (pidfile) {
        p = opts->pidfile ? abs_path(opts->pidfile)
                          : xasprintf("%s/vswitchd.pid", opts->rundir);
        free(opts->pidfile);
        opts->pidfile = p;
    }
    if (log_file) {
        p = opts->log_file ? abs_path(opts->log_file)
                           : xasprintf("%s/vswitchd.log", opts->rundir);
        free(opts->log_file);
        opts->log_file = p;
    }
}

static void
signal_cb(evutil_socket_t sig, short what VSW_UNUSED, void *aux VSW_UNUSED)
{
    if (sig == SIGHUP) {
        int error = vsw_log_reopen();
        if (error) {
            fprintf(stderr, "vswitchd: cannot reopen log: %s\n",
                    strerror(error));
        }
        VSW_INFO("log file reopened");
        return;
    }
    VSW_INFO("%s: exiting (datapath flows stay installed)",
             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    event_base_loopbreak(base);
}

int
main(int argc, char *argv[])
{
    struct event *sig_events[3];
    static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
    struct options opts;
    struct vsw_error err;
    int ready_fd = -1;
    int error;

    vsw_set_program_name(argv[0]);
    parse_options(argc, argv, &opts);
    signal(SIGPIPE, SIG_IGN);

    if (mkdir(opts.rundir, 0755) < 0 && errno != EEXIST) {
        vsw_fatal("cannot create rundir %s: %s", opts.rundir,
                  strerror(errno));
    }
    if (opts.log_file) {
        error = vsw_log_open(opts.log_file);
        if (error) {
            vsw_fatal("cannot open log file %s: %s", opts.log_file,
                      strerror(error));
        }
    }
    if (opts.detach) {
        ready_fd = vsw_daemon_start();
    }
    if (opts.pidfile) {
        vsw_pidfile_create(opts.pidfile, "vswitchd");
    }

    base = event_base_new();
    if (!base) {
        vsw_fatal("cannot create the event loop");
    }
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        sig_events[i] = evsignal_new(base, sigs[i], signal_cb, NULL);
        event_add(sig_events[i], NULL);
    }

    vsw_error_clear(&err);
    error = bridge_init(base, opts.db, opts.rundir, &err);
    if (error) {
        vsw_fatal("%s", err.msg);
    }
    VSW_INFO("vswitchd %s started (db %s, rundir %s)", PACKAGE_VERSION,
             opts.db, opts.rundir);
    if (ready_fd >= 0 && chdir("/") < 0) {
        /* Nothing depends on the cwd: paths were made absolute. */
    }
    vsw_daemon_ready(ready_fd);

    event_base_dispatch(base);

    bridge_exit();
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        event_free(sig_events[i]);
    }
    event_base_free(base);
    vsw_pidfile_remove();
    VSW_INFO("vswitchd stopped");
    free(opts.db);
    free(opts.rundir);
    free(opts.pidfile);
    free(opts.log_file);
    return 0;
}
