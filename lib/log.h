/* Logging and fatal errors for daemons and tools.
 *
 * Daemons log "prog: file:line: message" to stderr (bulkheadd's stderr is its
 * log file).  fatal() appends strerror(errno) and exits 1; fatalx() does not
 * read errno.  Libraries never call these: they return -errno codes. */
#ifndef BH_LOG_H
#define BH_LOG_H

#include <stddef.h>

void log_init(const char *progname);
const char *log_progname(void);

void log_msg(const char *file, int line, int with_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
_Noreturn void log_fatal(const char *file, int line, int with_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_info(...)  log_msg(__FILE__, __LINE__, 0, __VA_ARGS__)
#define log_warn(...)  log_msg(__FILE__, __LINE__, 1, __VA_ARGS__)
#define log_warnx(...) log_msg(__FILE__, __LINE__, 0, __VA_ARGS__)
#define fatal(...)     log_fatal(__FILE__, __LINE__, 1, __VA_ARGS__)
#define fatalx(...)    log_fatal(__FILE__, __LINE__, 0, __VA_ARGS__)

/* Write at most outlen-1 chars of buf into out as printable ASCII, escaping
 * everything else as \xNN, so untrusted bytes never reach a log raw.  Always
 * NUL-terminates (outlen > 0).  Returns out. */
char *log_escape(const void *buf, size_t len, char *out, size_t outlen);

#endif
