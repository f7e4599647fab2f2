/* Where everything in the prompt window goes, from the font's size and
 * the arguments: rectangles to draw in and to hit-test clicks against.
 * Pure (no X): the drawing code, the X event loop and the XTest driver
 * (tests/prompt) all compute the same layout. */
#ifndef BH_ASK_LAYOUT_H
#define BH_ASK_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "capd/prompt/ask_state.h"

#define ASK_TEXT_COLS      64u   /* characters of service text per line */
#define ASK_TEXT_LINES_MAX 3u    /* lines for the service name, and for the argument */
#define ASK_LIST_ROWS_MAX  6u    /* target rows visible at once; more scroll */
#define ASK_MARGIN         16
#define ASK_LABEL_COLS     10u   /* "Argument: " */

struct ask_rect {
	int x, y, w, h;
};

/* A fixed-width font: every glyph char_w wide; a line is ascent + descent. */
struct ask_metrics {
	int char_w, ascent, descent;
};

struct ask_layout {
	int width, height;
	int char_w, line_h, ascent;
	int text_x;                  /* left edge of text */
	int value_x;                 /* where values start after "Service:  " */
	int title_y;                 /* baselines */
	int source_y;
	struct ask_rect swatch;      /* the label color square */
	int service_y;               /* first line of the service name */
	size_t service_lines;
	int argument_y;
	size_t argument_lines;       /* >= 1 ("(none)" when empty) */
	int target_label_y;
	struct ask_rect list;        /* the target list, its border included */
	size_t rows;                 /* rows visible */
	int row_h;
	int scope_label_y;
	struct ask_rect radio[4];    /* ONCE, CALLS, MINUTES, ALWAYS: circle and text */
	struct ask_rect calls_dec, calls_val, calls_inc;
	struct ask_rect minutes_dec, minutes_val, minutes_inc;
	int calls_pre_x, calls_post_x, minutes_pre_x, minutes_post_x;
	struct ask_rect allow, deny;
	int hint_y;
};

/* Lines a text of len characters takes, ASK_TEXT_COLS each, at most
 * ASK_TEXT_LINES_MAX (the drawing marks a cut); at least 1. */
size_t ask_text_lines(size_t len);

/* m: char_w 1..64, ascent/descent 0..128.  name_len, arg_len: characters
 * of the escaped service name and argument. */
void ask_layout_compute(struct ask_layout *l, const struct ask_metrics *m, size_t ntargets,
			size_t name_len, size_t arg_len);

/* What lies at (x, y) in window coordinates, with the list scrolled to
 * `scroll`: the widget, and for AW_TARGETS the target index (which may be
 * past the last target: the state machine ignores it). */
enum ask_widget ask_layout_hit(const struct ask_layout *l, size_t scroll, int x, int y, size_t *index);

/* The rectangle of row `row` (0 .. rows-1) of the list. */
struct ask_rect ask_layout_row(const struct ask_layout *l, size_t row);

#endif
