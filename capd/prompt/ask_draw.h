/* Drawing the prompt window with core X requests through xcb: core
 * fonts (fixed width), filled rectangles, arcs, text.  No toolkit.
 * Every frame is drawn into a pixmap and copied to the window whole. */
#ifndef BH_ASK_DRAW_H
#define BH_ASK_DRAW_H

#include <stdint.h>
#include <xcb/xcb.h>

#include "capd/prompt/ask_args.h"
#include "capd/prompt/ask_layout.h"
#include "capd/prompt/ask_state.h"

enum ask_color {
	AC_BG, AC_FG, AC_DIM, AC_BORDER, AC_LIST_BG, AC_SEL_BG, AC_SEL_FG, AC_FOCUS,
	AC_BUTTON, AC_LABEL, AC_COUNT
};

struct ask_gfx {
	xcb_connection_t *c;
	xcb_screen_t *screen;
	xcb_window_t win;
	xcb_pixmap_t buf;          /* the frame, layout-sized */
	xcb_gcontext_t gc;
	xcb_font_t font, bold;     /* bold == font when there is no bold face */
	struct ask_metrics m;
	uint32_t pixel[AC_COUNT];
};

/* Opens the prompt's fixed-width fonts (the first of a list that the
 * server has; "fixed" is built into every server) and measures them.
 * 0, or -1 when not even "fixed" opens.  The XTest driver calls it too,
 * to compute the same layout. */
int ask_fonts_open(xcb_connection_t *c, xcb_font_t *font, xcb_font_t *bold, struct ask_metrics *m)
	__attribute__((warn_unused_result));

/* Pixels for the palette (label: the source's label color).  0 or -1. */
int ask_palette(struct ask_gfx *g, enum label label) __attribute__((warn_unused_result));

/* The escaped length of raw[0..len): printable ASCII but '\' one
 * column each, every other byte four (\xNN), as lib/log.h's log_escape. */
size_t ask_escaped_len(const char *raw, size_t len);

/* One frame: everything, from the layout, the state and the arguments. */
void ask_draw(struct ask_gfx *g, const struct ask_layout *l, const struct ask_state *s,
	      const struct ask_args *a);

#endif
