/* datapathd's channel server: accepts clients on RUNDIR/dp-ENGINE.sock,
 * decodes their requests, dispatches them to the engine, and sends replies,
 * dumps, errors and the engine's upcalls back.
 *
 * Contract with clients (see include/vswitch/dp-proto.h for the schema):
 *
 *   - Every request gets an answer: NEW/GET/SET/DEL of DATAPATH and PORT,
 *     FLOW GET and FLOW DEL answer with the object (FLOW DEL: its final
 *     statistics); FLOW NEW/SET/FLUSH and PACKET EXECUTE/INJECT answer with
 *     an ACK (NLMSG_ERROR, error 0).  NLM_F_ACK adds an ACK after an object
 *     answer too.  Dumps answer with NLM_F_MULTI messages, many per
 *     datagram, then NLMSG_DONE.  A failure answers with NLMSG_ERROR and a
 *     sentence.  Answers to one request datagram keep the order of its
 *     messages.
 *   - A malformed datagram or message is answered with NLMSG_ERROR carrying
 *     the decoder's sentence; the connection stays up.
 *   - DATAPATH NEW or SET with UPCALL_REGISTER makes the connection the
 *     receiver of that datapath's MISS messages (the last to register wins);
 *     they are batched many per datagram.  Without a receiver, or when the
 *     receiver's queue is full, a miss is counted lost by the engine.
 *   - A client that does not read does not block the server: its output is
 *     queued up to a bound; beyond it misses are lost and, for replies, the
 *     client is disconnected.
 *
 * Misses raised while a request datagram is processed (INJECT on the dummy
 * engine) are sent before that datagram's answers, so a client that gets
 * the ACK of an inject knows the miss has already been sent. */
#ifndef VSW_DATAPATH_DP_SERVER_H
#define VSW_DATAPATH_DP_SERVER_H 1

#include "datapath/dp-engine.h"
#include "utilities/error.h"

struct dp_server;
struct event_base;

/* Listens on RUNDIR/dp-<class name>.sock (refusing if another datapathd
 * answers there), opens the engine with ARGC/ARGV, and serves from BASE.
 * Returns 0 or a positive errno with ERR set. */
int dp_server_open(struct event_base *base, const struct dp_engine_class *,
                   const char *rundir, int argc, char **argv,
                   struct dp_server **, struct vsw_error *err);

/* Disconnects the clients, closes the engine (which leaves its forwarding
 * state in place) and removes the socket file. */
void dp_server_close(struct dp_server *);

const char *dp_server_path(const struct dp_server *);

#endif
