/* Field-level checks shared by the qrexec message parsers: integers,
 * NUL-padded string fields, the service-name, request-id and target
 * grammars (SPEC/qrexec.md, "Validation").  Pure: no I/O, no allocation,
 * no globals; every function is proved with Frama-C WP (make proofs).
 * The error codes of every qrexec parser and encoder live here too. */
#ifndef BH_QREXEC_FIELD_PARSE_H
#define BH_QREXEC_FIELD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>   /* Frama-C: valid_read_string */

#include "lib/names_parse.h"
#include "qrexec/protocol.h"

/* 0 or one of these; every decoder leaves its output untouched on error. */
enum qrexec_err {
	QREXEC_OK        =   0,
	QREXEC_ELENGTH   =  -1,  /* message or payload length wrong for its type */
	QREXEC_ETYPE     =  -2,  /* unknown message type */
	QREXEC_ECHANNEL  =  -3,  /* type not carried by this channel */
	QREXEC_EPEER     =  -4,  /* type not sent by this peer */
	QREXEC_EVERSION  =  -5,  /* type not valid at this version or handshake state */
	QREXEC_ENUL      =  -6,  /* string lacks its NUL, or has one too early */
	QREXEC_EPADDING  =  -7,  /* a byte after a field's terminating NUL is not NUL */
	QREXEC_ESERVICE  =  -8,  /* service name: empty, '+' first, or charset */
	QREXEC_ETARGET   =  -9,  /* target is not a qube, dom0 or a known @token */
	QREXEC_EREQID    = -10,  /* request id: empty or charset */
	QREXEC_EUSER     = -11,  /* cmdline user: missing ':' or not a user name */
	QREXEC_ECOMMAND  = -12,  /* cmdline command empty, or not a QUBESRPC request */
	QREXEC_ESOURCE   = -13,  /* QUBESRPC source is not a qube name or dom0 */
	QREXEC_EDOMAIN   = -14,  /* domain id over QREXEC_DOMID_MAX */
	QREXEC_EPORT     = -15,  /* port outside QREXEC_DATA_PORT_MIN..MAX */
	QREXEC_EVALUE    = -16,  /* exit code over QREXEC_EXIT_CODE_MAX */
	QREXEC_ENOSPACE  = -17,  /* encoder: caller's buffer too small */
	QREXEC_EINVAL    = -18,  /* caller's (trusted) argument out of range */
};

/* Character classes of SPEC/qrexec.md. */
enum qrexec_charset {
	CS_SERVICE,   /* [A-Za-z0-9+._-]: service names and their argument */
	CS_REQID,     /* [A-Za-z0-9_. -]: request ids (space allowed) */
};

/*@
  logic integer u32_le(uint8_t *p) =
      p[0] + 256 * p[1] + 65536 * p[2] + 16777216 * p[3];

  predicate is_alnum(integer c) =
      ('a' <= c <= 'z') || ('A' <= c <= 'Z') || ('0' <= c <= '9');

  predicate cs_char(integer cs, integer c) =
      (cs == CS_SERVICE && (is_alnum(c) || c == '+' || c == '.' || c == '_' || c == '-')) ||
      (cs == CS_REQID && (is_alnum(c) || c == '_' || c == '.' || c == '-' || c == ' '));

  predicate all_cs(integer cs, uint8_t *p, integer n) =
      \forall integer i; 0 <= i < n ==> cs_char(cs, p[i]);

  predicate no_nul(uint8_t *p, integer n) =
      \forall integer i; 0 <= i < n ==> p[i] != 0;

  predicate zero_from(uint8_t *p, integer a, integer n) =
      \forall integer i; a <= i < n ==> p[i] == 0;

  // Once a NUL, always NUL: nothing but padding after the string.
  predicate nul_padded(uint8_t *p, integer size) =
      \forall integer i, j; 0 <= i <= j < size && p[i] == 0 ==> p[j] == 0;

  // p[0 .. size) is a string of k bytes, its NUL, and NULs only.
  predicate padded(uint8_t *p, integer size, integer k) =
      0 <= k < size && no_nul(p, k) && zero_from(p, k, size);

  // A service request "name" or "name+arg": non-empty, no '+' first.
  predicate service_ok(uint8_t *p, integer n) =
      n >= 1 && p[0] != '+' && all_cs(CS_SERVICE, p, n);

  predicate reqid_ok(uint8_t *p, integer n) =
      n >= 1 && all_cs(CS_REQID, p, n);

*/

/* Little-endian u32 at p[0..4). */
/*@ requires \valid_read(p + (0 .. 3));
    assigns \nothing;
    ensures \result == u32_le(p); */
uint32_t qrexec_get_u32(const uint8_t *p);

/*@ requires \valid(p + (0 .. 3));
    assigns p[0 .. 3];
    ensures u32_le(p) == v; */
void qrexec_put_u32(uint8_t *p, uint32_t v);

/* A message header: type and payload length, little-endian. */
/*@ requires \valid(buf + (0 .. 7));
    assigns buf[0 .. 7];
    ensures u32_le(buf) == type && u32_le(buf + 4) == len; */
void qrexec_put_hdr(uint8_t *buf, uint32_t type, uint32_t len);

/* The byte a char holds (its value modulo 256). */
/*@ assigns \nothing;
    ensures \result == (c < 0 ? c + 256 : c); */
uint8_t qrexec_byte(char c);

/* Index of the first NUL in p[0..n), or n when there is none. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures 0 <= \result <= n;
    ensures no_nul(p, \result);
    ensures \result < n ==> p[\result] == 0;
    ensures none: \result == n <==> no_nul(p, n); */
size_t qrexec_nul_index(const uint8_t *p, size_t n);

/* Index of the first byte c in p[0..n), or n when there is none. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures 0 <= \result <= n;
    ensures \forall integer i; 0 <= i < \result ==> p[i] != c;
    ensures \result < n ==> p[\result] == c; */
size_t qrexec_find_byte(const uint8_t *p, size_t n, uint8_t c);

/* Whether p[0..n) starts with the ASCII string lit[0..litlen). */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. litlen - 1));
    assigns \nothing;
    ensures \result ==> litlen <= n; */
bool qrexec_has_prefix(const uint8_t *p, size_t n, const char *lit, size_t litlen)
	__attribute__((warn_unused_result));

/* Whether every byte of p[0..n) is in class cs. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result <==> all_cs(cs, p, n); */
bool qrexec_all_chars(const uint8_t *p, size_t n, enum qrexec_charset cs)
	__attribute__((warn_unused_result));

/* Whether p[from..n) are all NUL. */
/*@ requires from <= n;
    requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result <==> zero_from(p, from, n); */
bool qrexec_zero_from(const uint8_t *p, size_t from, size_t n)
	__attribute__((warn_unused_result));

/* A fixed-size string field of `size` bytes: NUL within it and only NULs
 * after the first one.  0 with *slen = the string's length, or
 * QREXEC_ENUL / QREXEC_EPADDING with *slen untouched. */
/*@ requires size >= 1;
    requires \valid_read(f + (0 .. size - 1));
    requires \valid(slen);
    requires \separated(slen, f + (0 .. size - 1));
    assigns *slen;
    behavior missing_nul:
      assumes no_nul(f, size);
      assigns \nothing;
      ensures \result == QREXEC_ENUL;
    behavior bad_padding:
      assumes !no_nul(f, size) && !nul_padded(f, size);
      assigns \nothing;
      ensures \result == QREXEC_EPADDING;
    behavior accept:
      assumes !no_nul(f, size) && nul_padded(f, size);
      assigns *slen;
      ensures \result == QREXEC_OK;
      ensures padded(f, size, *slen);
    complete behaviors;
    disjoint behaviors; */
int qrexec_field_check(const uint8_t *f, size_t size, size_t *slen)
	__attribute__((warn_unused_result));

/* 0 when p[0..n) is a service request (SPEC: non-empty, not '+' first,
 * [A-Za-z0-9+._-]), else QREXEC_ESERVICE. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result == QREXEC_OK || \result == QREXEC_ESERVICE;
    ensures \result == QREXEC_OK <==> service_ok(p, n); */
int qrexec_service_check(const uint8_t *p, size_t n) __attribute__((warn_unused_result));

/* 0 when p[0..n) is a request id (non-empty, [A-Za-z0-9_. -]), else
 * QREXEC_EREQID. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result == QREXEC_OK || \result == QREXEC_EREQID;
    ensures \result == QREXEC_OK <==> reqid_ok(p, n); */
int qrexec_reqid_check(const uint8_t *p, size_t n) __attribute__((warn_unused_result));

/* A data channel's far end (exec_params, CONNECTION_TERMINATED): 0 when
 * domid <= QREXEC_DOMID_MAX and QREXEC_DATA_PORT_MIN <= port <=
 * QREXEC_DATA_PORT_MAX, else QREXEC_EDOMAIN or QREXEC_EPORT. */
/*@ assigns \nothing;
    behavior bad_domain:
      assumes domid > QREXEC_DOMID_MAX;
      ensures \result == QREXEC_EDOMAIN;
    behavior bad_port:
      assumes domid <= QREXEC_DOMID_MAX;
      assumes port < QREXEC_DATA_PORT_MIN || port > QREXEC_DATA_PORT_MAX;
      ensures \result == QREXEC_EPORT;
    behavior accept:
      assumes domid <= QREXEC_DOMID_MAX;
      assumes QREXEC_DATA_PORT_MIN <= port <= QREXEC_DATA_PORT_MAX;
      ensures \result == QREXEC_OK;
    complete behaviors;
    disjoint behaviors; */
int qrexec_endpoint_check(uint32_t domid, uint32_t port) __attribute__((warn_unused_result));

/* What a request's target names. */
enum qrexec_target_kind {
	TARGET_QUBE,          /* a qube name */
	TARGET_DOM0,          /* "dom0" */
	TARGET_DEFAULT,       /* "@default": policy picks */
	TARGET_ADMINVM,       /* "@adminvm" */
	TARGET_DISPVM,        /* "@dispvm": a new DispVM of the default template */
	TARGET_DISPVM_QUBE,   /* "@dispvm:NAME": of template NAME */
	TARGET_DISPVM_TAG,    /* "@dispvm:@tag:T": of a template tagged T */
};

/* 0 when p[0..n) is a target (SPEC: qube name, dom0, @default, @adminvm,
 * @dispvm, @dispvm:NAME, @dispvm:@tag:TAG), with *kind and *arg_off (the
 * offset of NAME or TAG; n for the others) set; else QREXEC_ETARGET with
 * both untouched. */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid(kind) && \valid(arg_off);
    requires \separated(kind, arg_off);
    assigns *kind, *arg_off;
    ensures \result == QREXEC_OK || \result == QREXEC_ETARGET;
    ensures \result == QREXEC_OK ==> 1 <= n && *arg_off <= n;
    ensures \result != QREXEC_OK ==> *kind == \old(*kind) && *arg_off == \old(*arg_off); */
int qrexec_target_check(const uint8_t *p, size_t n, enum qrexec_target_kind *kind, size_t *arg_off)
	__attribute__((warn_unused_result));

/* A service request "name[+arg]" split into its parts.  The decoders copy
 * it here; `full` is NUL-terminated and NUL-padded. */
struct qrexec_service {
	char full[MAX_SERVICE_NAME_LEN];  /* "name" or "name+arg" */
	uint32_t len;                     /* strlen(full): 1 .. MAX_SERVICE_NAME_LEN - 1 */
	uint32_t name_len;                /* the name is full[0 .. name_len), name_len >= 1 */
	bool has_arg;                     /* a '+' follows the name (the argument may be empty) */
	uint32_t arg_off;                 /* the argument is full[arg_off .. len); len when !has_arg */
};

/*@ predicate service_stored{L}(struct qrexec_service *s, uint8_t *p, integer n) =
      s->len == n && 1 <= s->name_len <= n && s->arg_off <= n &&
      (s->has_arg ==> s->arg_off == s->name_len + 1) &&
      (!s->has_arg ==> s->arg_off == n && s->name_len == n) &&
      \forall integer i; 0 <= i < MAX_SERVICE_NAME_LEN ==> s->full[i] == (i < n ? (char)p[i] : 0);
*/

/* Stores the already checked service request p[0..n) into *out. */
/*@ requires 1 <= n < MAX_SERVICE_NAME_LEN;
    requires service_ok(p, n);
    requires \valid_read(p + (0 .. n - 1));
    requires \valid(out);
    requires \separated(out, p + (0 .. n - 1));
    assigns *out;
    ensures service_stored(out, p, n); */
void qrexec_service_store(const uint8_t *p, size_t n, struct qrexec_service *out);

/* dst[0..size) = p[0..n) then NULs (n < size). */
/*@ requires n < size;
    requires \valid_read(p + (0 .. n - 1));
    requires \valid(dst + (0 .. size - 1));
    requires \separated(dst + (0 .. size - 1), p + (0 .. n - 1));
    assigns dst[0 .. size - 1];
    ensures \forall integer i; 0 <= i < size ==> dst[i] == (i < n ? (char)p[i] : 0); */
void qrexec_store_str(char *dst, size_t size, const uint8_t *p, size_t n);

/* Encoders' side: length of the C string s if it is shorter than `size`
 * (so that it fits a `size`-byte field with its NUL), else `size`. */
/*@ requires size >= 1;
    requires \valid_read(s + (0 .. size - 1)) || valid_read_string(s);
    assigns \nothing;
    ensures 0 <= \result <= size;
    ensures \result < size ==> \valid_read(s + (0 .. \result)) && s[\result] == 0;
    ensures \forall integer i; 0 <= i < \result ==> s[i] != 0; */
size_t qrexec_cstr_len(const char *s, size_t size);

/* dst[0..size) = s[0..n) then NULs (n <= size). */
/*@ requires n <= size;
    requires \valid_read(s + (0 .. n - 1));
    requires \valid(dst + (0 .. size - 1));
    requires \separated(dst + (0 .. size - 1), s + (0 .. n - 1));
    assigns dst[0 .. size - 1]; */
void qrexec_put_str(uint8_t *dst, size_t size, const char *s, size_t n);

#endif
