/* The prompt's input state machine (ask_state.h). */
#include "capd/prompt/ask_state.h"

/* The focus ring, in Tab order. */
static const enum ask_widget ring[] = {
	AW_TARGETS, AW_SCOPE_ONCE, AW_SCOPE_CALLS, AW_SCOPE_MINUTES, AW_SCOPE_ALWAYS, AW_ALLOW, AW_DENY,
};
#define RING_LEN (sizeof(ring) / sizeof(ring[0]))

/* The radio group, top to bottom, and the scope each radio stands for. */
static const enum ask_widget radios[] = { AW_SCOPE_ONCE, AW_SCOPE_CALLS, AW_SCOPE_MINUTES, AW_SCOPE_ALWAYS };
static const enum ask_scope_kind radio_scope[] = {
	ASK_SCOPE_ONCE, ASK_SCOPE_CALLS, ASK_SCOPE_MINUTES, ASK_SCOPE_ALWAYS,
};
#define NRADIOS (sizeof(radios) / sizeof(radios[0]))

void ask_state_init(struct ask_state *s, size_t ntargets, int default_idx, size_t rows)
{
	s->ntargets = ntargets;
	s->selected = default_idx >= 0 && (size_t)default_idx < ntargets ? default_idx : -1;
	s->rows = rows ? rows : 1;
	s->scroll = 0;
	s->scope = ASK_SCOPE_ONCE;
	s->calls = ASK_CALLS_DEFAULT;
	s->minutes = ASK_MINUTES_DEFAULT;
	s->focus = AW_DENY;
	s->pressed = AW_NONE;
	s->shown = false;
	s->guard_until = 0;
	s->outcome = ASK_PENDING;
	if (s->selected >= 0 && (size_t)s->selected >= s->rows)
		s->scroll = (size_t)s->selected - s->rows + 1;
}

bool ask_state_allow_enabled(const struct ask_state *s)
{
	return s->selected >= 0 && (size_t)s->selected < s->ntargets;
}

bool ask_state_accepts_input(const struct ask_state *s, uint64_t ms)
{
	return s->outcome == ASK_PENDING && s->shown && ms >= s->guard_until;
}

/* ---- the list ---- */

static size_t max_scroll(const struct ask_state *s)
{
	return s->ntargets > s->rows ? s->ntargets - s->rows : 0;
}

/* The one place a target is chosen: only an offered one. */
static bool select_target(struct ask_state *s, size_t i)
{
	if (i >= s->ntargets)
		return false;
	s->selected = (int)i;
	if (i < s->scroll)
		s->scroll = i;
	else if (i >= s->scroll + s->rows)
		s->scroll = i - s->rows + 1;
	return true;
}

static void scroll_by(struct ask_state *s, int delta)
{
	size_t m = max_scroll(s);

	if (delta < 0)
		s->scroll = (size_t)-delta > s->scroll ? 0 : s->scroll - (size_t)-delta;
	else
		s->scroll = s->scroll + (size_t)delta > m ? m : s->scroll + (size_t)delta;
}

static void list_key(struct ask_state *s, enum ask_key k)
{
	size_t cur = s->selected >= 0 ? (size_t)s->selected : 0, last = s->ntargets - 1;
	bool none = s->selected < 0;

	switch (k) {
	case AK_UP:
		(void)select_target(s, none || cur == 0 ? 0 : cur - 1);
		break;
	case AK_DOWN:
		(void)select_target(s, none ? 0 : cur == last ? last : cur + 1);
		break;
	case AK_PAGEUP:
		(void)select_target(s, none || cur < s->rows ? 0 : cur - s->rows);
		break;
	case AK_PAGEDOWN:
		(void)select_target(s, none ? 0 : last - cur < s->rows ? last : cur + s->rows);
		break;
	case AK_HOME:
		(void)select_target(s, 0);
		break;
	case AK_END:
		(void)select_target(s, last);
		break;
	default:
		break;
	}
}

/* ---- scopes and their values ---- */

static int radio_index(enum ask_widget w)
{
	for (size_t i = 0; i < NRADIOS; i++)
		if (radios[i] == w)
			return (int)i;
	return -1;
}

static void pick_radio(struct ask_state *s, size_t i)
{
	s->scope = radio_scope[i];
	s->focus = radios[i];
}

/* The user moves N or T; it stops at its bounds (these are the user's
 * own keys and clicks, not a value from a qube). */
static void adjust(uint32_t *v, uint32_t lo, uint32_t hi, int64_t by)
{
	int64_t x = (int64_t)*v + by;

	*v = x < (int64_t)lo ? lo : x > (int64_t)hi ? hi : (uint32_t)x;
}

static void value_key(struct ask_state *s, enum ask_key k)
{
	bool calls = s->focus == AW_SCOPE_CALLS;
	uint32_t *v = calls ? &s->calls : &s->minutes;
	uint32_t lo = calls ? ASK_CALLS_MIN : ASK_MINUTES_MIN, hi = calls ? ASK_CALLS_MAX : ASK_MINUTES_MAX;

	switch (k) {
	case AK_LEFT:
	case AK_MINUS:
		adjust(v, lo, hi, -1);
		break;
	case AK_RIGHT:
	case AK_PLUS:
		adjust(v, lo, hi, 1);
		break;
	case AK_PAGEDOWN:
		adjust(v, lo, hi, -(int64_t)ASK_VALUE_STEP_BIG);
		break;
	case AK_PAGEUP:
		adjust(v, lo, hi, ASK_VALUE_STEP_BIG);
		break;
	case AK_HOME:
		*v = lo;
		break;
	case AK_END:
		*v = hi;
		break;
	default:
		return;
	}
	s->scope = calls ? ASK_SCOPE_CALLS : ASK_SCOPE_MINUTES;
}

/* ---- focus ---- */

static bool focusable(const struct ask_state *s, enum ask_widget w)
{
	return w != AW_ALLOW || ask_state_allow_enabled(s);
}

static void move_focus(struct ask_state *s, bool back)
{
	size_t at = RING_LEN - 1;

	for (size_t i = 0; i < RING_LEN; i++)
		if (ring[i] == s->focus)
			at = i;
	for (size_t step = 0; step < RING_LEN; step++) {
		at = back ? (at + RING_LEN - 1) % RING_LEN : (at + 1) % RING_LEN;
		if (focusable(s, ring[at])) {
			s->focus = ring[at];
			return;
		}
	}
}

/* ---- events ---- */

static enum ask_outcome decide(struct ask_state *s, enum ask_outcome o)
{
	s->outcome = o;
	s->pressed = AW_NONE;
	return o;
}

/* Enter or Space on the focused widget. */
static enum ask_outcome activate(struct ask_state *s)
{
	int r = radio_index(s->focus);

	if (s->focus == AW_DENY)
		return decide(s, ASK_DENIED);
	if (s->focus == AW_ALLOW)
		return ask_state_allow_enabled(s) ? decide(s, ASK_ALLOWED) : ASK_PENDING;
	if (r >= 0)
		pick_radio(s, (size_t)r);
	return ASK_PENDING;
}

static enum ask_outcome on_key(struct ask_state *s, enum ask_key k)
{
	int r = radio_index(s->focus);

	switch (k) {
	case AK_ESCAPE:
		return decide(s, ASK_DENIED);
	case AK_ENTER:
	case AK_SPACE:
		return activate(s);
	case AK_TAB:
	case AK_BACKTAB:
		move_focus(s, k == AK_BACKTAB);
		return ASK_PENDING;
	default:
		break;
	}
	if (s->focus == AW_TARGETS) {
		list_key(s, k);
	} else if (r >= 0 && (k == AK_UP || k == AK_DOWN)) {
		/* Up and Down walk the radio group and pick as they go. */
		if (k == AK_UP && r > 0)
			pick_radio(s, (size_t)r - 1);
		else if (k == AK_DOWN && (size_t)r + 1 < NRADIOS)
			pick_radio(s, (size_t)r + 1);
	} else if (s->focus == AW_SCOPE_CALLS || s->focus == AW_SCOPE_MINUTES) {
		value_key(s, k);
	}
	return ASK_PENDING;
}

static void on_press(struct ask_state *s, enum ask_widget w, size_t index)
{
	int r = radio_index(w);

	s->pressed = w;
	switch (w) {
	case AW_TARGETS:
		if (select_target(s, index))
			s->focus = AW_TARGETS;
		break;
	case AW_CALLS_DEC:
	case AW_CALLS_INC:
		adjust(&s->calls, ASK_CALLS_MIN, ASK_CALLS_MAX, w == AW_CALLS_INC ? 1 : -1);
		pick_radio(s, 1);
		break;
	case AW_MINUTES_DEC:
	case AW_MINUTES_INC:
		adjust(&s->minutes, ASK_MINUTES_MIN, ASK_MINUTES_MAX, w == AW_MINUTES_INC ? 1 : -1);
		pick_radio(s, 2);
		break;
	default:
		if (r >= 0)
			pick_radio(s, (size_t)r);
		break;
	}
}

/* A button acts when the press and the release were both on it. */
static enum ask_outcome on_release(struct ask_state *s, enum ask_widget w)
{
	enum ask_widget was = s->pressed;

	s->pressed = AW_NONE;
	if (w != was)
		return ASK_PENDING;
	if (w == AW_DENY)
		return decide(s, ASK_DENIED);
	if (w == AW_ALLOW && ask_state_allow_enabled(s))
		return decide(s, ASK_ALLOWED);
	return ASK_PENDING;
}

enum ask_outcome ask_state_event(struct ask_state *s, const struct ask_event *ev)
{
	if (s->outcome != ASK_PENDING)
		return s->outcome;
	switch (ev->type) {
	case AE_CLOSE:
	case AE_TIMEOUT:
		return decide(s, ASK_DENIED);
	case AE_SHOWN:
		s->shown = true;
		s->guard_until = ev->ms + ASK_GUARD_MS;
		s->pressed = AW_NONE;
		return ASK_PENDING;
	case AE_HIDDEN:
		s->shown = false;
		s->pressed = AW_NONE;
		return ASK_PENDING;
	default:
		break;
	}
	if (!ask_state_accepts_input(s, ev->ms)) {
		/* A press too early must not turn into a click later. */
		s->pressed = AW_NONE;
		return ASK_PENDING;
	}
	switch (ev->type) {
	case AE_KEY:
		return on_key(s, ev->key);
	case AE_PRESS:
		on_press(s, ev->widget, ev->index);
		return ASK_PENDING;
	case AE_RELEASE:
		return on_release(s, ev->widget);
	case AE_SCROLL:
		scroll_by(s, ev->delta);
		return ASK_PENDING;
	default:
		return ASK_PENDING;
	}
}

int ask_state_choice(const struct ask_state *s, size_t *target, struct ask_scope *scope)
{
	if (s->outcome != ASK_ALLOWED || !ask_state_allow_enabled(s))
		return -1;
	*target = (size_t)s->selected;
	scope->kind = s->scope;
	scope->value = s->scope == ASK_SCOPE_CALLS ? s->calls : s->scope == ASK_SCOPE_MINUTES ? s->minutes : 0;
	return 0;
}
