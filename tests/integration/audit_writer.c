/* Test helper for tests/integration/audit_*.sh (not installed): appends
 * records to an audit log as its writer would.
 *   audit-writer DIR EVENT [KEY=VALUE]...     one record
 *   audit-writer -n COUNT DIR EVENT [KEY=VALUE]...   COUNT records, each
 *                                             with an extra field i=N
 * Exit 0, or 1 with the error on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capd/audit/auditlog.h"

int main(int argc, char **argv)
{
	struct audit_field f[AUDIT_FIELDS_MAX + 1];
	struct auditlog *l;
	char num[32];
	long count = 1;
	int a = 1, nf = 0, rc;

	if (argc > 3 && strcmp(argv[1], "-n") == 0) {
		count = strtol(argv[2], NULL, 10);
		a = 3;
	}
	if (argc - a < 2 || count < 1) {
		fprintf(stderr, "usage: audit-writer [-n COUNT] DIR EVENT [KEY=VALUE]...\n");
		return 2;
	}
	for (int i = a + 2; i < argc && nf < (int)AUDIT_FIELDS_MAX; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL) {
			fprintf(stderr, "audit-writer: %s: no '='\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		f[nf].key = argv[i];
		f[nf].value = eq + 1;
		nf++;
	}
	rc = auditlog_open(argv[a], &l);
	if (rc < 0) {
		fprintf(stderr, "audit-writer: open %s: %s\n", argv[a], strerror(-rc));
		return 1;
	}
	for (long k = 0; k < count; k++) {
		int n = nf;
		if (count > 1) {
			snprintf(num, sizeof(num), "%ld", k);
			f[n].key = "i";
			f[n].value = num;
			n++;
		}
		rc = auditlog_append(l, argv[a + 1], f, (size_t)n);
		if (rc < 0) {
			fprintf(stderr, "audit-writer: append: %s\n", strerror(-rc));
			auditlog_close(l);
			return 1;
		}
	}
	auditlog_close(l);
	return 0;
}
