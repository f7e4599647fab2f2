/* Name and token validation (lib/names_parse.c). */
#include <stdint.h>
#include <string.h>

#include "lib/names_parse.h"
#include "tests/lib/check.h"

static int chk(enum name_kind k, const char *s)
{
	return names_check(k, (const uint8_t *)s, strlen(s));
}

int main(void)
{
	static const char *good_qubes[] = { "work", "a", "Work-1.b_c", "sys-net", "abcdefghijklmnopqrstuvwxyz01234" };
	static const char *bad_qubes[] = {
		"", "1work", "-x", ".x", "work space", "w/x", "w\\x", "wörk", "none", "default", "Domain-0",
		"disp-dm", "abcdefghijklmnopqrstuvwxyz012345", "a\n", "_x",
	};

	for (size_t i = 0; i < sizeof(good_qubes) / sizeof(*good_qubes); i++)
		CHECK(chk(NAME_QUBE, good_qubes[i]) == 0);
	for (size_t i = 0; i < sizeof(bad_qubes) / sizeof(*bad_qubes); i++)
		CHECK(chk(NAME_QUBE, bad_qubes[i]) == -1);
	/* An embedded NUL is never part of a valid token. */
	CHECK(names_check(NAME_QUBE, (const uint8_t *)"wo\0rk", 5) == -1);
	CHECK(names_check(NAME_VALUE, (const uint8_t *)"a\0b", 3) == -1);

	CHECK(chk(NAME_PROPERTY, "qrexec_timeout") == 0);
	CHECK(chk(NAME_PROPERTY, "Memory") == -1);
	CHECK(chk(NAME_PROPERTY, "_x") == -1);
	CHECK(chk(NAME_FEATURE, "gui-emulated.x_1") == 0);
	CHECK(chk(NAME_FEATURE, ".hidden") == -1);
	CHECK(chk(NAME_FEATURE, "a b") == -1);
	CHECK(chk(NAME_TAG, "created-by-dom0") == 0);
	CHECK(chk(NAME_TAG, "a.b") == -1);
	CHECK(chk(NAME_USER, "user") == 0);
	CHECK(chk(NAME_USER, "root") == 0);
	CHECK(chk(NAME_USER, "User") == -1);
	CHECK(chk(NAME_USER, "0user") == -1);
	CHECK(chk(NAME_VALUE, "") == 0);
	CHECK(chk(NAME_VALUE, "any printable ~ text") == 0);
	CHECK(chk(NAME_VALUE, "tab\there") == -1);
	CHECK(chk(NAME_VALUE, "\x7f") == -1);

	{
		char big[VALUE_MAX + 2];
		memset(big, 'x', sizeof(big));
		CHECK(names_check(NAME_VALUE, (const uint8_t *)big, VALUE_MAX) == 0);
		CHECK(names_check(NAME_VALUE, (const uint8_t *)big, VALUE_MAX + 1) == -1);
	}

	CHECK(label_from_name((const uint8_t *)"red", 3) == LABEL_RED);
	CHECK(label_from_name((const uint8_t *)"black", 5) == LABEL_BLACK);
	CHECK(label_from_name((const uint8_t *)"Red", 3) == -1);
	CHECK(label_from_name((const uint8_t *)"redd", 4) == -1);
	CHECK(label_from_name((const uint8_t *)"re", 2) == -1);
	CHECK(label_color(LABEL_RED) == 0xcc0000);
	CHECK(label_color(LABEL_ORANGE) == 0xf57900);
	CHECK(label_color(LABEL_YELLOW) == 0xedd400);
	CHECK(label_color(LABEL_GREEN) == 0x73d216);
	CHECK(label_color(LABEL_GRAY) == 0x555555);
	CHECK(label_color(LABEL_BLUE) == 0x3465a4);
	CHECK(label_color(LABEL_PURPLE) == 0x75507b);
	CHECK(label_color(LABEL_BLACK) == 0x000000);
	CHECK_STR(label_name(LABEL_PURPLE), "purple");
	return check_exit();
}
