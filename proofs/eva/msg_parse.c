/* Eva driver: qrexec_strerror on any code a decoder may return.
 * eva-files: qrexec/msg_parse.c */
#include "eva_input.h"
#include "qrexec/msg_parse.h"

int main(void)
{
	const char *s = qrexec_strerror(Frama_C_interval(-100, 100));

	return s[0] == 0;
}
