/* The socket vchan transport's directories for a unit test that plays
 * both dom0 and one qube, laid out as bulkheadd lays them out
 * (SPEC/vchan.md): ROOT/vchan for dom0's side, ROOT/vchan/<qube> (sticky,
 * world-writable: the qube's uid binds there) for the qube's. */
#ifndef BH_TESTS_VCHAN_DIRS_H
#define BH_TESTS_VCHAN_DIRS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

struct vchan_dirs {
	char dom0[512];
	char qube[600];
	unsigned qube_id;
};

/* 0, or -1 if a path does not fit or a directory cannot be made. */
static inline int vchan_dirs_make(struct vchan_dirs *d, const char *root, unsigned qube_id)
{
	d->qube_id = qube_id;
	if ((size_t)snprintf(d->dom0, sizeof(d->dom0), "%s/vchan", root) >= sizeof(d->dom0) ||
	    (size_t)snprintf(d->qube, sizeof(d->qube), "%s/%u", d->dom0, qube_id) >= sizeof(d->qube))
		return -1;
	if ((mkdir(d->dom0, 0700) < 0 && errno != EEXIST) || (mkdir(d->qube, 0700) < 0 && errno != EEXIST) ||
	    chmod(d->qube, 01777) < 0)
		return -1;
	return 0;
}

/* The environment of dom0's side, or of the qube's (in its child). */
static inline void vchan_dirs_as_dom0(const struct vchan_dirs *d)
{
	unsetenv("VCHAN_DOMAIN");
	setenv("VCHAN_SOCKET_DIR", d->dom0, 1);
}

static inline void vchan_dirs_as_qube(const struct vchan_dirs *d)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", d->qube_id);
	setenv("VCHAN_DOMAIN", id, 1);
	setenv("VCHAN_SOCKET_DIR", d->qube, 1);
}

#endif
