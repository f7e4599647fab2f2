/* Keycodes to keysyms and back, from the server's keyboard mapping
 * (core protocol only, no xkb), and keysyms to the state machine's keys.
 * The prompt reads keys with it; the XTest driver (tests/prompt) finds
 * the keycodes to send with it. */
#ifndef BH_ASK_KEYMAP_H
#define BH_ASK_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <xcb/xcb.h>

#include "capd/prompt/ask_state.h"

/* Keysyms used here (X11/keysymdef.h). */
#define ASK_XK_SPACE        0x0020u
#define ASK_XK_PLUS         0x002bu
#define ASK_XK_MINUS        0x002du
#define ASK_XK_EQUAL        0x003du
#define ASK_XK_ISO_LEFT_TAB 0xfe20u
#define ASK_XK_TAB          0xff09u
#define ASK_XK_RETURN       0xff0du
#define ASK_XK_ESCAPE       0xff1bu
#define ASK_XK_HOME         0xff50u
#define ASK_XK_LEFT         0xff51u
#define ASK_XK_UP           0xff52u
#define ASK_XK_RIGHT        0xff53u
#define ASK_XK_DOWN         0xff54u
#define ASK_XK_PAGE_UP      0xff55u
#define ASK_XK_PAGE_DOWN    0xff56u
#define ASK_XK_END          0xff57u
#define ASK_XK_KP_ENTER     0xff8du
#define ASK_XK_KP_ADD       0xffabu
#define ASK_XK_KP_SUBTRACT  0xffadu
#define ASK_XK_SHIFT_L      0xffe1u

/* Owns syms (malloc'd by ask_keymap_load, freed by ask_keymap_free). */
struct ask_keymap {
	xcb_keycode_t min_code;
	uint8_t per_code;        /* keysyms per keycode */
	size_t ncodes;
	xcb_keysym_t *syms;      /* ncodes * per_code */
};

/* 0, or -1 (no reply, or an empty map). */
int ask_keymap_load(xcb_connection_t *c, struct ask_keymap *km) __attribute__((warn_unused_result));
void ask_keymap_free(struct ask_keymap *km);

/* The keysym of code (column 1 with shift when it has one), or 0. */
xcb_keysym_t ask_keymap_sym(const struct ask_keymap *km, xcb_keycode_t code, bool shift);

/* A keycode producing sym, and whether shift is needed: 0, or -1. */
int ask_keymap_code(const struct ask_keymap *km, xcb_keysym_t sym, xcb_keycode_t *code, bool *shift)
	__attribute__((warn_unused_result));

/* The prompt's meaning of a keysym (shift: Tab is then Shift-Tab). */
enum ask_key ask_key_from_sym(xcb_keysym_t sym, bool shift);

#endif
