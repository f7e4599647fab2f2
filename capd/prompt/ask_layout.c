/* The prompt window's geometry (ask_layout.h). */
#include "capd/prompt/ask_layout.h"

size_t ask_text_lines(size_t len)
{
	size_t n = (len + ASK_TEXT_COLS - 1) / ASK_TEXT_COLS;

	return n == 0 ? 1 : n > ASK_TEXT_LINES_MAX ? ASK_TEXT_LINES_MAX : n;
}

static struct ask_rect rect(int x, int y, int w, int h)
{
	return (struct ask_rect){ x, y, w, h };
}

static int inside(struct ask_rect r, int x, int y)
{
	return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

/* A scope row with a number: "PRE [-] N [+] POST". */
static void number_row(const struct ask_layout *l, int tx, int y, int h, size_t pre_cols,
		       int *pre_x, struct ask_rect *dec, struct ask_rect *val, struct ask_rect *inc,
		       int *post_x)
{
	int cw = l->char_w;

	*pre_x = tx;
	*dec = rect(tx + (int)pre_cols * cw, y + 2, 3 * cw, h - 4);
	*val = rect(dec->x + dec->w, y + 2, 6 * cw, h - 4);
	*inc = rect(val->x + val->w, y + 2, 3 * cw, h - 4);
	*post_x = inc->x + inc->w + cw;
}

void ask_layout_compute(struct ask_layout *l, const struct ask_metrics *m, size_t ntargets,
			size_t name_len, size_t arg_len)
{
	int cw = m->char_w, lh = m->ascent + m->descent + 4, y = ASK_MARGIN, tx, rh;

	l->char_w = cw;
	l->line_h = lh;
	l->ascent = m->ascent;
	l->width = 2 * ASK_MARGIN + (int)(ASK_LABEL_COLS + ASK_TEXT_COLS) * cw;
	l->text_x = ASK_MARGIN;
	l->value_x = ASK_MARGIN + (int)ASK_LABEL_COLS * cw;

	l->title_y = y + m->ascent;
	y += lh + lh / 2;
	l->source_y = y + m->ascent;
	l->swatch = rect(l->value_x, y + 1, lh - 4, lh - 4);
	y += lh;
	l->service_lines = ask_text_lines(name_len);
	l->service_y = y + m->ascent;
	y += (int)l->service_lines * lh;
	l->argument_lines = ask_text_lines(arg_len);
	l->argument_y = y + m->ascent;
	y += (int)l->argument_lines * lh + lh / 2;

	l->target_label_y = y + m->ascent;
	y += lh;
	l->row_h = lh + 2;
	l->rows = ntargets < ASK_LIST_ROWS_MAX ? (ntargets ? ntargets : 1) : ASK_LIST_ROWS_MAX;
	l->list = rect(ASK_MARGIN, y, l->width - 2 * ASK_MARGIN, (int)l->rows * l->row_h + 4);
	y += l->list.h + lh / 2;

	l->scope_label_y = y + m->ascent;
	y += lh;
	rh = lh + 6;
	tx = ASK_MARGIN + lh + 4;
	for (int i = 0; i < 4; i++)
		l->radio[i] = rect(ASK_MARGIN, y + i * rh, l->width - 2 * ASK_MARGIN, rh);
	number_row(l, tx, l->radio[1].y, rh, 9, &l->calls_pre_x, &l->calls_dec, &l->calls_val,
		   &l->calls_inc, &l->calls_post_x);                  /* "the next " */
	number_row(l, tx, l->radio[2].y, rh, 4, &l->minutes_pre_x, &l->minutes_dec, &l->minutes_val,
		   &l->minutes_inc, &l->minutes_post_x);              /* "for " */
	y += 4 * rh + lh / 2;

	l->deny = rect(l->width - ASK_MARGIN - 12 * cw, y, 12 * cw, lh + 10);
	l->allow = rect(l->deny.x - ASK_MARGIN - 12 * cw, y, 12 * cw, lh + 10);
	y += l->deny.h + lh / 2;
	l->hint_y = y + m->ascent;
	y += lh;
	l->height = y + ASK_MARGIN / 2;
}

struct ask_rect ask_layout_row(const struct ask_layout *l, size_t row)
{
	return rect(l->list.x + 2, l->list.y + 2 + (int)row * l->row_h, l->list.w - 4, l->row_h);
}

enum ask_widget ask_layout_hit(const struct ask_layout *l, size_t scroll, int x, int y, size_t *index)
{
	static const enum ask_widget radio_w[4] = {
		AW_SCOPE_ONCE, AW_SCOPE_CALLS, AW_SCOPE_MINUTES, AW_SCOPE_ALWAYS,
	};

	*index = 0;
	if (inside(l->calls_dec, x, y))
		return AW_CALLS_DEC;
	if (inside(l->calls_inc, x, y))
		return AW_CALLS_INC;
	if (inside(l->minutes_dec, x, y))
		return AW_MINUTES_DEC;
	if (inside(l->minutes_inc, x, y))
		return AW_MINUTES_INC;
	for (int i = 0; i < 4; i++)
		if (inside(l->radio[i], x, y))
			return radio_w[i];
	if (inside(l->allow, x, y))
		return AW_ALLOW;
	if (inside(l->deny, x, y))
		return AW_DENY;
	for (size_t r = 0; r < l->rows; r++)
		if (inside(ask_layout_row(l, r), x, y)) {
			*index = scroll + r;
			return AW_TARGETS;
		}
	if (inside(l->list, x, y)) {
		*index = (size_t)-1;   /* the border: no row */
		return AW_TARGETS;
	}
	return AW_NONE;
}
