/* Running what dom0 asked for, inside the qube.
 *
 * Two kinds of request arrive in EXEC_CMDLINE (already decoded and
 * validated by the message parser):
 *  - "user:QUBESRPC SVC+ARG SOURCE": an RPC service, looked up as the
 *    first existing of /usr/local/etc/qubes-rpc/SVC+ARG,
 *    /etc/qubes-rpc/SVC+ARG, /usr/local/etc/qubes-rpc/SVC,
 *    /etc/qubes-rpc/SVC.  An executable is exec'd directly (never through
 *    a shell) with argv[1] = ARG and Qubes' environment; a Unix socket is
 *    connected and sent "SVC+ARG SOURCE\0" before the data.
 *  - "user:COMMAND": a command line from dom0 (qvm-run), run by the user's
 *    login shell, like Qubes.  Only dom0 can send these (the agent's peer
 *    on the control channel is dom0's qrexec-daemon).
 */
#ifndef BH_QREXEC_SERVICE_H
#define BH_QREXEC_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SERVICE_DIRS_MAX 4
#define SPAWN_GROUPS_MAX 64u        /* supplementary groups of a service's user */
#define SPAWN_ENV_MAX    8u         /* environment entries, with the NULL */
#define SPAWN_ENV_POOL   2048u      /* their bytes */
#define SPAWN_STACK_SIZE 65536u     /* the child's stack until it execs */

/* Search roots; tests point them elsewhere with QREXEC_SERVICE_PATH
 * (colon-separated, at most SERVICE_DIRS_MAX). */
extern const char *const service_default_dirs[];

/* What a request turned into. */
struct spawned {
	pid_t pid;          /* > 0 for a process; -1 for a socket service */
	int in_fd;          /* write end: data for the service's stdin (or the socket) */
	int out_fd;         /* read end: the service's stdout (or the socket) */
	int err_fd;         /* read end: stderr; -1 for sockets */
};

enum service_result { SERVICE_OK = 0, SERVICE_NOT_FOUND = -1, SERVICE_FAILED = -2 };

/* Finds the service (service and arg validated by the caller) and
 * writes the chosen path into path.  Returns SERVICE_OK or
 * SERVICE_NOT_FOUND. */
int service_lookup(const char *service, const char *arg, char *path, size_t pathlen,
		   bool *is_socket);

/* Starts service at path as user for source.  Returns SERVICE_OK with
 * *sp filled, or SERVICE_FAILED. */
int service_spawn(const char *path, bool is_socket, const char *service, const char *arg,
		  const char *source, const char *user, struct spawned *sp);

/* Runs a dom0 command line by user's shell.
 *
 * Both start the program in a child that shares our memory until it
 * execs (no copy of the caller's address space: the agent starts one per
 * call), after looking the user up here.  Not thread-safe (static
 * buffers): the agent's handlers and the runner are single-threaded. */
int command_spawn(const char *user, const char *command, struct spawned *sp);

#endif
