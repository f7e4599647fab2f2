/* Loop devices for the Xen backend's image files.  Xen's block backend
 * (blkback) serves block devices, not files; a loop device per attached
 * image is what `xl` does too (through its hotplug script).  We attach it
 * here, with LO_FLAGS_AUTOCLEAR, and keep the fd open while the domain
 * runs: the device goes away at the last close, so neither a crash of
 * the monitor nor a failed start leaves one behind. */
#include "core/xen/xen.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define LOOP_TRIES 16u     /* another process may take the free device first */

int xloop_attach(const char *image, bool writable, char *dev, size_t devlen, int *fd)
{
	int ctl, img, lfd = -1, rc = -EBUSY;
	int mode = writable ? O_RDWR : O_RDONLY;

	if ((img = open(image, mode | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	if ((ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC)) < 0) {
		rc = -errno;
		close(img);
		return rc;
	}
	for (unsigned i = 0; i < LOOP_TRIES; i++) {
		struct loop_info64 info;
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0) {
			rc = -errno;
			break;
		}
		if (snprintf(dev, devlen, "/dev/loop%d", n) >= (int)devlen) {
			rc = -ENAMETOOLONG;
			break;
		}
		if ((lfd = open(dev, mode | O_CLOEXEC)) < 0) {
			rc = -errno;
			break;
		}
		if (ioctl(lfd, LOOP_SET_FD, img) < 0) {
			rc = -errno;
			close(lfd);
			lfd = -1;
			if (rc == -EBUSY)
				continue;    /* raced: ask for another */
			break;
		}
		memset(&info, 0, sizeof(info));
		/* Read-only follows from img's O_RDONLY at LOOP_SET_FD. */
		info.lo_flags = LO_FLAGS_AUTOCLEAR;
		snprintf((char *)info.lo_file_name, sizeof(info.lo_file_name), "%s", image);
		if (ioctl(lfd, LOOP_SET_STATUS64, &info) < 0) {
			rc = -errno;
			ioctl(lfd, LOOP_CLR_FD, 0);
			close(lfd);
			lfd = -1;
			break;
		}
		rc = 0;
		break;
	}
	close(ctl);
	close(img);
	if (rc == 0)
		*fd = lfd;
	return rc;
}
