/* Xen measurements of issue #6 (SPEC/xen-system.md "Measurements"): the
 * raw libxenvchan baseline (xenbench-dom0 raw <-> xenbench-qube raw, no
 * Bulkhead code on the data path) and the helpers that time Bulkhead's
 * own commands (repeat, stream).  Shared by both programs.
 *
 * Raw protocol, dom0 the vchan server (as Bulkhead's qrexec-daemon), the
 * qube the client (as its agent), on the control vchan XB_CTRL_PORT:
 *   qube -> dom0  XB_HELLO            once connected (ends the start clock)
 *   dom0 -> qube  XB_PING             the qube answers XB_PONG
 *   dom0 -> qube  XB_CONNECT port:u32 dom0 has published a new vchan on
 *                                     port; the qube connects, sends
 *                                     XB_HELLO on it, reads XB_ACK, closes
 *   dom0 -> qube  XB_STREAM mib:u32   the qube writes mib MiB of zeros
 *   dom0 -> qube  XB_QUIT             the qube exits
 * u32s little-endian (both ends are x86). */
#ifndef BH_BENCH_XENBENCH_H
#define BH_BENCH_XENBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct libxenvchan;

#define XB_RING           (64u * 1024u)  /* per direction: Bulkhead's VCHAN_DEFAULT_RING */
#define XB_CTRL_PORT      7000u
#define XB_CONNECT_PORT0  7100u          /* + iteration: a fresh xenstore path each time */
#define XB_CHUNK          (64u * 1024u)  /* stream writes and reads */
#define XB_MAX_MIB        1024u
#define XB_PATH_MAX       64u            /* libxenvchan_client_init's limit */
#define XB_DEADLINE_MS    120000u        /* any single exchange */
#define XB_MAX_SAMPLES    100000u
#define XB_MAX_ARGS       32u

#define XB_HELLO    'H'
#define XB_PING     'p'
#define XB_PONG     'P'
#define XB_CONNECT  'c'
#define XB_ACK      'k'
#define XB_STREAM   's'
#define XB_QUIT     'q'

/* Clocks in ms/ns: CLOCK_MONOTONIC. */
uint64_t xb_now_ms(void);

/* Non-blocking libxenvchan I/O (ctrl->blocking stays 0): every wait is a
 * poll() on the event fd bounded by deadline_ms; then libxenvchan_wait()
 * consumes the event.  Return 0, or -ETIMEDOUT / -EPIPE / -EIO. */
int xb_write_all(struct libxenvchan *x, const void *buf, size_t len, uint64_t deadline_ms)
	__attribute__((warn_unused_result));
int xb_read_all(struct libxenvchan *x, void *buf, size_t len, uint64_t deadline_ms)
	__attribute__((warn_unused_result));
/* Reads and discards exactly len bytes (a stream's payload). */
int xb_drain(struct libxenvchan *x, uint64_t len, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

void xb_put_u32(uint8_t out[4], uint32_t v);
uint32_t xb_get_u32(const uint8_t in[4]);

/* Runs argv (argv[0] looked up in PATH) with stdin and stderr from
 * /dev/null and stdout to out_fd (-1: /dev/null), at most timeout_ms;
 * killed at the limit.  Returns its wait status, or -errno / -ETIMEDOUT. */
int xb_run(char *const argv[], int out_fd, uint64_t timeout_ms) __attribute__((warn_unused_result));
/* The same, stdout read and counted here (read_fd's bytes discarded):
 * *out_bytes is how many it wrote. */
int xb_run_count(char *const argv[], uint64_t timeout_ms, uint64_t *out_bytes)
	__attribute__((warn_unused_result));

/* The subcommands both programs have (bench/xen/spawn.c):
 *   repeat NAME N BASE SECONDS CMD...    runs CMD 3 times untimed, then N
 *       times, each to exit 0 within SECONDS; prints NAME.median/.p90 (us)
 *       against BASE.median/.p90
 *   stream NAME MIB BASE SECONDS RUNS CMD...  runs CMD RUNS times; each
 *       must write exactly MIB MiB to stdout and exit 0; prints NAME (the
 *       median run's MiB/s) against BASE
 * argv starts at the subcommand's name; returns the exit status. */
int xb_cmd_repeat(int argc, char **argv);
int xb_cmd_stream(int argc, char **argv);

/* A decimal in [min, max], or exits 2 naming what. */
uint32_t xb_count(const char *s, uint32_t min, uint32_t max, const char *what);

#endif
