/* datapathd: the fast-path daemon.  One process per engine; it serves the
 * datapath channel on RUNDIR/dp-ENGINE.sock (datapath/dp-server.c) and
 * owns every packet through the engine it was started with.
 *
 *   datapathd --engine=xdp|dpdk|dummy --rundir=DIR [--detach]
 *             [--pidfile=FILE] [--log-file=FILE] [--log-level=LEVEL]
 *             [-- ENGINE ARGS]
 *
 * SIGTERM and SIGINT stop it cleanly and leave the engine's forwarding
 * state in place (pinned maps, the dummy engine's state file), so a new
 * datapathd adopts it.  SIGHUP reopens the log file (logrotate).
 *
 * With --detach the command returns only once the daemon serves its socket
 * (or has failed, with its error on stderr and exit status 1), so scripts
 * can use the socket right away. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <event2/event.h>

#include "datapath/dp-engine.h"
#include "datapath/dp-server.h"
#include "utilities/daemon.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(datapathd);

#define DEFAULT_RUNDIR "/run/vswitch"

struct options {
    const char *engine;
    const char *rundir;
    const char *pidfile;
    const char *log_file;
    bool detach;
    int engine_argc;
    char **engine_argv;
};

static void
usage(void)
{
    printf("%s: the vswitch fast path\n"
           "usage: %s --engine=ENGINE --rundir=DIR [OPTION...] "
           "[-- ENGINE-ARGS]\n"
           "  --engine=ENGINE     %s (default xdp)\n"
           "  --rundir=DIR        serve DIR/dp-ENGINE.sock (default "
           "$VSWITCH_RUNDIR or " DEFAULT_RUNDIR ")\n"
           "  --detach            run in the background once serving\n"
           "  --pidfile=FILE      write the daemon's pid to FILE\n"
           "  --log-file=FILE     log to FILE (SIGHUP reopens it)\n"
           "  --log-level=LEVEL   err, warn, info (default) or dbg\n"
           "  -h, --help          this text\n"
           "  -V, --version       the version\n"
           "Arguments after \"--\" go to the engine (EAL arguments for "
           "dpdk).\n",
           vsw_program_name(), vsw_program_name(), dp_engine_names());
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
    enum { OPT_ENGINE = 256, OPT_RUNDIR, OPT_DETACH, OPT_PIDFILE,
           OPT_LOG_FILE, OPT_LOG_LEVEL };
    static const struct option long_options[] = {
        { "engine", required_argument, NULL, OPT_ENGINE },
        { "rundir", required_argument, NULL, OPT_RUNDIR },
        { "detach", no_argument, NULL, OPT_DETACH },
        { "pidfile", required_argument, NULL, OPT_PIDFILE },
        { "log-file", required_argument, NULL, OPT_LOG_FILE },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    enum vsw_log_level level;
    int c;

    memset(o, 0, sizeof *o);
    o->engine = "xdp";
    o->rundir = getenv("VSWITCH_RUNDIR");
    if (!o->rundir || !o->rundir[0]) {
        o->rundir = DEFAULT_RUNDIR;
    }

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:hV", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_ENGINE:
            o->engine = optarg;
            break;
        case OPT_RUNDIR:
            o->rundir = optarg;
            break;
        case OPT_DETACH:
            o->detach = true;
            break;
        case OPT_PIDFILE:
            o->pidfile = optarg;
            break;
        case OPT_LOG_FILE:
            o->log_file = optarg;
            break;
        case OPT_LOG_LEVEL:
            if (!vsw_log_parse_level(optarg, &level)) {
                vsw_fatal("unknown log level \"%s\" (use err, warn, info or "
                          "dbg)", optarg);
            }
            vsw_log_set_level(level);
            break;
        case 'h':
            usage();
            exit(0);
        case 'V':
            printf("datapathd (vswitch) %s\n", PACKAGE_VERSION);
            exit(0);
        case ':':
            vsw_fatal("option %s needs an argument (try --help)",
                      argv[optind - 1]);
        default:
            if (optopt) {
                vsw_fatal("unknown option -%c (try --help)", optopt);
            }
            vsw_fatal("unknown option %s (try --help)", argv[optind - 1]);
        }
    }
    if (optind < argc && strcmp(argv[optind - 1], "--")) {
        vsw_fatal("unexpected argument \"%s\" (engine arguments go after "
                  "\"--\")", argv[optind]);
    }
    o->engine_argc = argc - optind;
    o->engine_argv = argv + optind;
    if (!o->rundir[0]) {
        vsw_fatal("--rundir must not be empty");
    }
}

/* mkdir -p DIR. */
static int
make_dirs(const char *dir)
{
    char *copy = xstrdup(dir);
    int error = 0;

    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char save = *p;

            *p = '\0';
            if (mkdir(copy, 0755) && errno != EEXIST) {
                error = errno;
                break;
            }
            *p = save;
            if (!save) {
                break;
            }
        }
    }
    free(copy);
    return error;
}

static void
stop_cb(evutil_socket_t sig, short what, void *base)
{
    (void) what;
    VSW_INFO("%s: exiting, forwarding state left in place",
             strsignal((int) sig));
    event_base_loopbreak(base);
}

static void
hup_cb(evutil_socket_t sig, short what, void *aux)
{
    (void) sig;
    (void) what;
    (void) aux;
    if (vsw_log_reopen()) {
        VSW_WARN("cannot reopen the log file");
    }
}

int
main(int argc, char *argv[])
{
    const struct dp_engine_class *class;
    struct event *ev_term, *ev_int, *ev_hup;
    struct event_base *base;
    struct dp_server *server;
    struct vsw_error err;
    struct options o;
    int ready_fd = -1;
    int error;

    vsw_set_program_name(argv[0]);
    parse_options(argc, argv, &o);

    class = dp_engine_lookup(o.engine);
    if (!class) {
        vsw_fatal("unknown engine \"%s\" (this datapathd has: %s)", o.engine,
                  dp_engine_names());
    }
    if (o.log_file) {
        error = vsw_log_open(o.log_file);
        if (error) {
            vsw_fatal("cannot open log file %s: %s", o.log_file,
                      strerror(error));
        }
    }
    error = make_dirs(o.rundir);
    if (error) {
        vsw_fatal("cannot create run directory %s: %s", o.rundir,
                  strerror(error));
    }
    signal(SIGPIPE, SIG_IGN);

    if (o.detach) {
        ready_fd = vsw_daemon_start();
    }

    base = event_base_new();
    if (!base) {
        vsw_fatal("cannot create the event loop");
    }
    vsw_error_clear(&err);
    error = dp_server_open(base, class, o.rundir, o.engine_argc,
                           o.engine_argv, &server, &err);
    if (error) {
        if (o.log_file) {
            VSW_ERR("%s", err.msg);
        }
        event_base_free(base);
        vsw_fatal("%s", err.msg[0] ? err.msg : strerror(error));
    }
    if (o.pidfile) {
        vsw_pidfile_create(o.pidfile, "datapathd");
    }

    ev_term = evsignal_new(base, SIGTERM, stop_cb, base);
    ev_int = evsignal_new(base, SIGINT, stop_cb, base);
    ev_hup = evsignal_new(base, SIGHUP, hup_cb, NULL);
    event_add(ev_term, NULL);
    event_add(ev_int, NULL);
    event_add(ev_hup, NULL);

    VSW_INFO("engine %s serving %s (pid %ld)", class->name,
             dp_server_path(server), (long) getpid());
    vsw_daemon_ready(ready_fd);

    event_base_dispatch(base);

    dp_server_close(server);
    event_free(ev_term);
    event_free(ev_int);
    event_free(ev_hup);
    event_base_free(base);
    vsw_pidfile_remove();
    return 0;
}
