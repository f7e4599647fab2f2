/* The event log as files and PCR values: load (through the proved
 * parser), write, replay, compare (SPEC/measured-boot.md "Event log",
 * "Verification").  The parser itself is eventlog_parse.h. */
#ifndef BH_MB_EVENTLOG_H
#define BH_MB_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#include "measured-boot/eventlog_parse.h"

#define EVLOG_REL       "run/bulkhead/measured-boot/eventlog"  /* default, under $BULKHEAD_ROOT */
#define EVLOG_PCRS      24u
#define EVLOG_ERR_MAX   256u
/* The PCRs Bulkhead measures into (the kinds' PCRs, 11..15): a verifier
 * checks all of them, so an extend into one the log never mentions is
 * caught too. */
#define EVLOG_PCR_MASK  0x0000f800u

/* A parsed log: count records, each evlog_record_ok, in file order. */
struct evlog {
	uint32_t count;
	struct evlog_record rec[EVLOG_RECORDS_MAX];
};

/* A whole log from memory: the header, then each record through the
 * proved parsers.  Returns 0 or an EVLOG_E* code; on reject out->count
 * is 0. */
int evlog_parse(const uint8_t *untrusted_buf, size_t len, struct evlog *out)
	__attribute__((warn_unused_result));

/* Reads and parses a log file (at most EVLOG_SIZE_MAX bytes).  Returns 0,
 * or -1 with a one-line reason in err. */
int evlog_load(const char *path, struct evlog *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Writes header + the records of l to path atomically (mode 0644), making
 * the parent directory.  Returns 0 or -errno. */
int evlog_store(const char *path, const struct evlog *l) __attribute__((warn_unused_result));

/* The PCR values the log implies: every PCR starts at 32 zero bytes
 * (after TPM2_Startup(CLEAR)), each record extends its PCR:
 * pcr = SHA-256(pcr || digest). */
void evlog_replay(const struct evlog *l, uint8_t pcrs[EVLOG_PCRS][EVLOG_DIGEST_SIZE]);

/* The kind's short name ("kernel", "xen-cmdline", ...); "?" if unknown. */
const char *evlog_kind_name(uint32_t kind);

/* Index of the first record of a that differs from b's record at the same
 * position (kind, PCR, digest or name), or a missing/extra record; -1 if
 * the logs are the same.  When a is shorter, the index is a->count. */
int evlog_first_diff(const struct evlog *a, const struct evlog *b);

/* The index of the first record whose PCR is in mask, or -1. */
int evlog_first_in(const struct evlog *l, uint32_t mask);

/* Formats record i as "PCR KIND DIGEST-HEX NAME" (the `show` line). */
void evlog_format(const struct evlog_record *r, char *buf, size_t buflen);

#endif
