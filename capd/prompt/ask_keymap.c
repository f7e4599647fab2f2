/* Keyboard mapping (ask_keymap.h). */
#include <stdlib.h>
#include <string.h>

#include "capd/prompt/ask_keymap.h"

#define KEYMAP_SYMS_MAX (256u * 64u)   /* keycodes 8..255 times a generous per-code count */

int ask_keymap_load(xcb_connection_t *c, struct ask_keymap *km)
{
	const xcb_setup_t *setup = xcb_get_setup(c);
	uint8_t count = (uint8_t)(setup->max_keycode - setup->min_keycode + 1);
	xcb_get_keyboard_mapping_reply_t *r;
	size_t n;

	memset(km, 0, sizeof(*km));
	if (setup->max_keycode < setup->min_keycode)
		return -1;
	r = xcb_get_keyboard_mapping_reply(c, xcb_get_keyboard_mapping(c, setup->min_keycode, count), NULL);
	if (r == NULL)
		return -1;
	n = (size_t)xcb_get_keyboard_mapping_keysyms_length(r);
	if (r->keysyms_per_keycode == 0 || n == 0 || n > KEYMAP_SYMS_MAX ||
	    n != (size_t)count * r->keysyms_per_keycode) {
		free(r);
		return -1;
	}
	km->syms = malloc(n * sizeof(xcb_keysym_t));
	if (km->syms == NULL) {
		free(r);
		return -1;
	}
	memcpy(km->syms, xcb_get_keyboard_mapping_keysyms(r), n * sizeof(xcb_keysym_t));
	km->min_code = setup->min_keycode;
	km->per_code = r->keysyms_per_keycode;
	km->ncodes = count;
	free(r);
	return 0;
}

void ask_keymap_free(struct ask_keymap *km)
{
	free(km->syms);
	memset(km, 0, sizeof(*km));
}

xcb_keysym_t ask_keymap_sym(const struct ask_keymap *km, xcb_keycode_t code, bool shift)
{
	const xcb_keysym_t *row;

	if (km->syms == NULL || code < km->min_code || (size_t)(code - km->min_code) >= km->ncodes)
		return 0;
	row = km->syms + (size_t)(code - km->min_code) * km->per_code;
	if (shift && km->per_code > 1 && row[1] != 0)
		return row[1];
	return row[0];
}

int ask_keymap_code(const struct ask_keymap *km, xcb_keysym_t sym, xcb_keycode_t *code, bool *shift)
{
	for (int col = 0; col < 2 && col < km->per_code; col++)
		for (size_t i = 0; i < km->ncodes; i++)
			if (km->syms[i * km->per_code + (size_t)col] == sym) {
				*code = (xcb_keycode_t)(km->min_code + i);
				*shift = col == 1;
				return 0;
			}
	return -1;
}

enum ask_key ask_key_from_sym(xcb_keysym_t sym, bool shift)
{
	switch (sym) {
	case ASK_XK_ESCAPE:
		return AK_ESCAPE;
	case ASK_XK_RETURN:
	case ASK_XK_KP_ENTER:
		return AK_ENTER;
	case ASK_XK_SPACE:
		return AK_SPACE;
	case ASK_XK_TAB:
		return shift ? AK_BACKTAB : AK_TAB;
	case ASK_XK_ISO_LEFT_TAB:
		return AK_BACKTAB;
	case ASK_XK_UP:
		return AK_UP;
	case ASK_XK_DOWN:
		return AK_DOWN;
	case ASK_XK_LEFT:
		return AK_LEFT;
	case ASK_XK_RIGHT:
		return AK_RIGHT;
	case ASK_XK_PLUS:
	case ASK_XK_KP_ADD:
		return AK_PLUS;
	case ASK_XK_MINUS:
	case ASK_XK_KP_SUBTRACT:
		return AK_MINUS;
	case ASK_XK_PAGE_UP:
		return AK_PAGEUP;
	case ASK_XK_PAGE_DOWN:
		return AK_PAGEDOWN;
	case ASK_XK_HOME:
		return AK_HOME;
	case ASK_XK_END:
		return AK_END;
	default:
		return AK_OTHER;
	}
}
