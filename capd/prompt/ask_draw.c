/* Drawing the prompt (ask_draw.h).  Every string drawn is either fixed
 * text, a checked name (qube, label, target), or the service request
 * passed through log_escape(): no byte from a qube reaches the screen
 * raw, even though ask_args already refused everything outside the
 * service charset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capd/prompt/ask_draw.h"
#include "lib/log.h"

/* Fonts in order of preference: 9x15, 7x13 (xfonts-base), then the
 * server's built-in "fixed". */
static const char *const font_names[][2] = {
	{ "-misc-fixed-medium-r-normal--15-140-75-75-c-90-iso8859-1",
	  "-misc-fixed-bold-r-normal--15-140-75-75-c-90-iso8859-1" },
	{ "-misc-fixed-medium-r-normal--13-120-75-75-c-70-iso8859-1",
	  "-misc-fixed-bold-r-normal--13-120-75-75-c-70-iso8859-1" },
	{ "fixed", "fixed" },
};

#define TEXT_RUN_MAX 255u   /* bytes of one ImageText8 request */

static int open_font(xcb_connection_t *c, const char *name, xcb_font_t *f, struct ask_metrics *m)
{
	xcb_font_t id = xcb_generate_id(c);
	xcb_generic_error_t *e = xcb_request_check(c, xcb_open_font_checked(c, id, (uint16_t)strlen(name), name));
	xcb_query_font_reply_t *q;
	int w, asc, desc;

	if (e != NULL) {
		free(e);
		return -1;
	}
	q = xcb_query_font_reply(c, xcb_query_font(c, id), NULL);
	if (q == NULL) {
		xcb_close_font(c, id);
		return -1;
	}
	w = q->max_bounds.character_width;
	asc = q->font_ascent;
	desc = q->font_descent;
	free(q);
	if (w < 1 || w > 64 || asc < 0 || asc > 128 || desc < 0 || desc > 128) {
		xcb_close_font(c, id);
		return -1;
	}
	*f = id;
	*m = (struct ask_metrics){ w, asc, desc };
	return 0;
}

int ask_fonts_open(xcb_connection_t *c, xcb_font_t *font, xcb_font_t *bold, struct ask_metrics *m)
{
	for (size_t i = 0; i < sizeof(font_names) / sizeof(font_names[0]); i++) {
		struct ask_metrics bm;

		if (open_font(c, font_names[i][0], font, m) < 0)
			continue;
		/* A bold face only if it has the same cell, else the regular one. */
		if (open_font(c, font_names[i][1], bold, &bm) < 0)
			*bold = *font;
		else if (bm.char_w != m->char_w || bm.ascent != m->ascent || bm.descent != m->descent) {
			xcb_close_font(c, *bold);
			*bold = *font;
		}
		return 0;
	}
	return -1;
}

/* ---- colors ---- */

static const uint32_t palette_rgb[AC_COUNT] = {
	[AC_BG] = 0xeeeeec, [AC_FG] = 0x2e3436, [AC_DIM] = 0x888a85, [AC_BORDER] = 0x555753,
	[AC_LIST_BG] = 0xffffff, [AC_SEL_BG] = 0x3465a4, [AC_SEL_FG] = 0xffffff,
	[AC_FOCUS] = 0x204a87, [AC_BUTTON] = 0xd3d7cf, [AC_LABEL] = 0,
};

static const xcb_visualtype_t *root_visual(const xcb_screen_t *s)
{
	for (xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator(s); d.rem; xcb_depth_next(&d))
		for (xcb_visualtype_iterator_t v = xcb_depth_visuals_iterator(d.data); v.rem; xcb_visualtype_next(&v))
			if (v.data->visual_id == s->root_visual)
				return v.data;
	return NULL;
}

/* An 8-bit component scaled into a channel mask. */
static uint32_t channel(uint32_t v8, uint32_t mask)
{
	unsigned shift = 0;

	if (mask == 0)
		return 0;
	while (!(mask & 1u)) {
		mask >>= 1;
		shift++;
	}
	return ((v8 * mask + 127u) / 255u) << shift;
}

int ask_palette(struct ask_gfx *g, enum label label)
{
	const xcb_visualtype_t *v = root_visual(g->screen);

	for (int i = 0; i < AC_COUNT; i++) {
		uint32_t rgb = i == AC_LABEL ? label_color(label) : palette_rgb[i];
		uint32_t r = rgb >> 16 & 0xff, gr = rgb >> 8 & 0xff, b = rgb & 0xff;

		if (v && (v->_class == XCB_VISUAL_CLASS_TRUE_COLOR || v->_class == XCB_VISUAL_CLASS_DIRECT_COLOR)) {
			g->pixel[i] = channel(r, v->red_mask) | channel(gr, v->green_mask) | channel(b, v->blue_mask);
		} else {
			xcb_alloc_color_reply_t *a = xcb_alloc_color_reply(g->c,
				xcb_alloc_color(g->c, g->screen->default_colormap, (uint16_t)(r * 257),
						(uint16_t)(gr * 257), (uint16_t)(b * 257)), NULL);
			if (a == NULL)
				return -1;
			g->pixel[i] = a->pixel;
			free(a);
		}
	}
	return 0;
}

/* ---- primitives ---- */

static void fill(struct ask_gfx *g, struct ask_rect r, enum ask_color col)
{
	xcb_rectangle_t x = { (int16_t)r.x, (int16_t)r.y, (uint16_t)r.w, (uint16_t)r.h };

	xcb_change_gc(g->c, g->gc, XCB_GC_FOREGROUND, (uint32_t[]){ g->pixel[col] });
	xcb_poly_fill_rectangle(g->c, g->buf, g->gc, 1, &x);
}

static void frame(struct ask_gfx *g, struct ask_rect r, enum ask_color col, int width)
{
	for (int i = 0; i < width; i++) {
		xcb_rectangle_t x = { (int16_t)(r.x + i), (int16_t)(r.y + i),
				      (uint16_t)(r.w - 1 - 2 * i), (uint16_t)(r.h - 1 - 2 * i) };

		xcb_change_gc(g->c, g->gc, XCB_GC_FOREGROUND, (uint32_t[]){ g->pixel[col] });
		xcb_poly_rectangle(g->c, g->buf, g->gc, 1, &x);
	}
}

static void text(struct ask_gfx *g, int x, int y, enum ask_color fg, enum ask_color bg, int bold,
		 const char *s, size_t len)
{
	if (len > TEXT_RUN_MAX)
		len = TEXT_RUN_MAX;
	xcb_change_gc(g->c, g->gc, XCB_GC_FOREGROUND | XCB_GC_BACKGROUND | XCB_GC_FONT,
		      (uint32_t[]){ g->pixel[fg], g->pixel[bg], bold ? g->bold : g->font });
	xcb_image_text_8(g->c, (uint8_t)len, g->buf, g->gc, (int16_t)x, (int16_t)y, s);
}

static void str(struct ask_gfx *g, int x, int y, enum ask_color fg, enum ask_color bg, const char *s)
{
	text(g, x, y, fg, bg, 0, s, strlen(s));
}

static void circle(struct ask_gfx *g, int x, int y, int d, enum ask_color col, int filled)
{
	xcb_arc_t a = { (int16_t)x, (int16_t)y, (uint16_t)d, (uint16_t)d, 0, 360 * 64 };

	xcb_change_gc(g->c, g->gc, XCB_GC_FOREGROUND, (uint32_t[]){ g->pixel[col] });
	if (filled)
		xcb_poly_fill_arc(g->c, g->buf, g->gc, 1, &a);
	else
		xcb_poly_arc(g->c, g->buf, g->gc, 1, &a);
}

/* ---- the service request, escaped and wrapped ---- */

size_t ask_escaped_len(const char *raw, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		n += c >= 0x20 && c < 0x7f && c != '\\' ? 1 : 4;
	}
	return n;
}

/* raw[0..len) escaped, ASK_TEXT_COLS per line on `lines` lines from
 * baseline y; when it does not fit, the end of the last line says how
 * long the whole was. */
static void wrapped(struct ask_gfx *g, const struct ask_layout *l, int y, size_t lines,
		    const char *raw, size_t len)
{
	static char esc[ASK_TEXT_COLS * ASK_TEXT_LINES_MAX + 1];
	size_t n, cap = ASK_TEXT_COLS * lines;

	log_escape(raw, len, esc, cap + 1);
	n = strlen(esc);
	if (ask_escaped_len(raw, len) > cap) {
		char note[40];
		int k = snprintf(note, sizeof(note), " ...[%zu bytes]", len);

		if (k > 0 && (size_t)k < cap) {
			memcpy(esc + cap - (size_t)k, note, (size_t)k);
			n = cap;
		}
	}
	for (size_t i = 0; i < lines && i * ASK_TEXT_COLS < n; i++) {
		size_t run = n - i * ASK_TEXT_COLS;

		text(g, l->value_x, y + (int)i * l->line_h, AC_FG, AC_BG, 1, esc + i * ASK_TEXT_COLS,
		     run > ASK_TEXT_COLS ? ASK_TEXT_COLS : run);
	}
}

/* ---- parts of the window ---- */

static void draw_request(struct ask_gfx *g, const struct ask_layout *l, const struct ask_args *a)
{
	char buf[64];
	int x;

	text(g, l->text_x, l->title_y, AC_FG, AC_BG, 1, "Bulkhead: a qube asks to call a service", 39);

	str(g, l->text_x, l->source_y, AC_FG, AC_BG, "From:");
	fill(g, l->swatch, AC_LABEL);
	frame(g, l->swatch, AC_BORDER, 1);
	x = l->swatch.x + l->swatch.w + l->char_w;
	text(g, x, l->source_y, AC_LABEL, AC_BG, 1, a->source, strlen(a->source));
	x += (int)(strlen(a->source) + 1) * l->char_w;
	snprintf(buf, sizeof(buf), "(label %s)", label_name(a->label));
	str(g, x, l->source_y, AC_DIM, AC_BG, buf);

	str(g, l->text_x, l->service_y, AC_FG, AC_BG, "Service:");
	wrapped(g, l, l->service_y, l->service_lines, a->service, a->name_len);
	str(g, l->text_x, l->argument_y, AC_FG, AC_BG, "Argument:");
	if (a->service_len == a->name_len + 1)
		str(g, l->value_x, l->argument_y, AC_DIM, AC_BG, "(none)");
	else
		wrapped(g, l, l->argument_y, l->argument_lines, a->service + a->name_len + 1,
			a->service_len - a->name_len - 1);
}

static void draw_targets(struct ask_gfx *g, const struct ask_layout *l, const struct ask_state *s,
			 const struct ask_args *a)
{
	char buf[80];

	if (a->ntargets > l->rows)
		snprintf(buf, sizeof(buf), "Target (%zu-%zu of %zu, scroll for more):", s->scroll + 1,
			 s->scroll + l->rows, a->ntargets);
	else
		snprintf(buf, sizeof(buf), "Target:");
	str(g, l->text_x, l->target_label_y, AC_FG, AC_BG, buf);
	fill(g, l->list, AC_LIST_BG);
	frame(g, l->list, s->focus == AW_TARGETS ? AC_FOCUS : AC_BORDER, s->focus == AW_TARGETS ? 2 : 1);
	for (size_t r = 0; r < l->rows && s->scroll + r < a->ntargets; r++) {
		size_t i = s->scroll + r;
		struct ask_rect row = ask_layout_row(l, r);
		int sel = s->selected >= 0 && (size_t)s->selected == i;
		const char *t = a->targets[i];

		row.x += 1;
		row.w -= 2;
		if (sel)
			fill(g, row, AC_SEL_BG);
		text(g, row.x + l->char_w, row.y + 1 + l->ascent + 2, sel ? AC_SEL_FG : AC_FG,
		     sel ? AC_SEL_BG : AC_LIST_BG, sel, t, strlen(t));
		if (a->default_idx >= 0 && (size_t)a->default_idx == i)
			str(g, row.x + (int)(strlen(t) + 2) * l->char_w, row.y + 1 + l->ascent + 2,
			    sel ? AC_SEL_FG : AC_DIM, sel ? AC_SEL_BG : AC_LIST_BG, "(default)");
	}
	if (a->ntargets > l->rows) {
		/* A scroll bar: where the visible rows sit in the whole list. */
		int h = l->list.h - 4, top = (int)((size_t)h * s->scroll / a->ntargets);
		int len = (int)((size_t)h * l->rows / a->ntargets);

		fill(g, (struct ask_rect){ l->list.x + l->list.w - 8, l->list.y + 2 + top, 5, len > 4 ? len : 4 },
		     AC_DIM);
	}
}

static void small_button(struct ask_gfx *g, const struct ask_layout *l, struct ask_rect r, const char *label)
{
	fill(g, r, AC_BUTTON);
	frame(g, r, AC_BORDER, 1);
	text(g, r.x + (r.w - l->char_w) / 2, r.y + (r.h + l->ascent) / 2 - 1, AC_FG, AC_BUTTON, 1, label, 1);
}

static void number(struct ask_gfx *g, const struct ask_layout *l, struct ask_rect r, uint32_t v)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u", v);

	fill(g, r, AC_LIST_BG);
	frame(g, r, AC_BORDER, 1);
	text(g, r.x + (r.w - n * l->char_w) / 2, r.y + (r.h + l->ascent) / 2 - 1, AC_FG, AC_LIST_BG, 1, buf,
	     (size_t)n);
}

static void draw_scopes(struct ask_gfx *g, const struct ask_layout *l, const struct ask_state *s)
{
	static const enum ask_widget w[4] = { AW_SCOPE_ONCE, AW_SCOPE_CALLS, AW_SCOPE_MINUTES, AW_SCOPE_ALWAYS };
	static const enum ask_scope_kind k[4] = {
		ASK_SCOPE_ONCE, ASK_SCOPE_CALLS, ASK_SCOPE_MINUTES, ASK_SCOPE_ALWAYS,
	};

	str(g, l->text_x, l->scope_label_y, AC_FG, AC_BG, "Allow it for:");
	for (int i = 0; i < 4; i++) {
		struct ask_rect r = l->radio[i];
		int d = l->line_h - 6, cy = r.y + (r.h - d) / 2, base = r.y + (r.h + l->ascent) / 2 - 1;
		int tx = r.x + l->line_h + 4;

		fill(g, (struct ask_rect){ r.x + 2, cy, d, d }, AC_BG);
		circle(g, r.x + 2, cy, d, AC_LIST_BG, 1);
		circle(g, r.x + 2, cy, d, AC_BORDER, 0);
		if (s->scope == k[i])
			circle(g, r.x + 2 + d / 4, cy + d / 4, d - 2 * (d / 4), AC_SEL_BG, 1);
		switch (i) {
		case 0:
			str(g, tx, base, AC_FG, AC_BG, "this call only");
			break;
		case 1:
			str(g, l->calls_pre_x, base, AC_FG, AC_BG, "the next");
			small_button(g, l, l->calls_dec, "-");
			number(g, l, l->calls_val, s->calls);
			small_button(g, l, l->calls_inc, "+");
			str(g, l->calls_post_x, base, AC_FG, AC_BG, "calls (this one included)");
			break;
		case 2:
			str(g, l->minutes_pre_x, base, AC_FG, AC_BG, "for");
			small_button(g, l, l->minutes_dec, "-");
			number(g, l, l->minutes_val, s->minutes);
			small_button(g, l, l->minutes_inc, "+");
			str(g, l->minutes_post_x, base, AC_FG, AC_BG, "minutes");
			break;
		default:
			str(g, tx, base, AC_FG, AC_BG, "until revoked");
			break;
		}
		if (s->focus == w[i])
			frame(g, r, AC_FOCUS, 1);
	}
}

static void button(struct ask_gfx *g, const struct ask_layout *l, struct ask_rect r, const char *label,
		   int enabled, int focused)
{
	int n = (int)strlen(label);

	fill(g, r, AC_BUTTON);
	frame(g, r, focused ? AC_FOCUS : AC_BORDER, focused ? 2 : 1);
	text(g, r.x + (r.w - n * l->char_w) / 2, r.y + (r.h + l->ascent) / 2 - 1, enabled ? AC_FG : AC_DIM,
	     AC_BUTTON, enabled, label, (size_t)n);
}

void ask_draw(struct ask_gfx *g, const struct ask_layout *l, const struct ask_state *s,
	      const struct ask_args *a)
{
	fill(g, (struct ask_rect){ 0, 0, l->width, l->height }, AC_BG);
	/* A frame in the label color, as every window of that qube has. */
	frame(g, (struct ask_rect){ 0, 0, l->width, l->height }, AC_LABEL, 4);
	draw_request(g, l, a);
	draw_targets(g, l, s, a);
	draw_scopes(g, l, s);
	button(g, l, l->allow, "Allow", ask_state_allow_enabled(s), s->focus == AW_ALLOW);
	button(g, l, l->deny, "Deny", 1, s->focus == AW_DENY);
	str(g, l->text_x, l->hint_y, AC_DIM, AC_BG,
	    "Tab: next field   Enter: press   Esc, closing or no answer: deny");
	xcb_copy_area(g->c, g->buf, g->win, g->gc, 0, 0, 0, 0, (uint16_t)l->width, (uint16_t)l->height);
	xcb_flush(g->c);
}
