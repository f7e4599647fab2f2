/* The prompt window's input state machine and layout, without X
 * (capd/prompt/ask_state.c, ask_layout.c): deny by default, Escape,
 * close and timeout, input ignored early, choices restricted to the
 * offered targets, N and T within bounds, hit-testing. */
#include <stdio.h>
#include <string.h>

#include "capd/prompt/ask_layout.h"
#include "capd/prompt/ask_state.h"
#include "tests/lib/check.h"

#define T0 100000u                   /* when the window shows */
#define LIVE (T0 + ASK_GUARD_MS)     /* first moment input counts */

static enum ask_outcome shown(struct ask_state *s, uint64_t ms)
{
	return ask_state_event(s, &(struct ask_event){ .type = AE_SHOWN, .ms = ms });
}

static enum ask_outcome key(struct ask_state *s, enum ask_key k, uint64_t ms)
{
	return ask_state_event(s, &(struct ask_event){ .type = AE_KEY, .ms = ms, .key = k });
}

static enum ask_outcome press(struct ask_state *s, enum ask_widget w, size_t i, uint64_t ms)
{
	return ask_state_event(s, &(struct ask_event){ .type = AE_PRESS, .ms = ms, .widget = w, .index = i });
}

static enum ask_outcome release(struct ask_state *s, enum ask_widget w, uint64_t ms)
{
	return ask_state_event(s, &(struct ask_event){ .type = AE_RELEASE, .ms = ms, .widget = w });
}

static enum ask_outcome click(struct ask_state *s, enum ask_widget w, size_t i, uint64_t ms)
{
	enum ask_outcome o = press(s, w, i, ms);

	return o != ASK_PENDING ? o : release(s, w, ms + 1);
}

/* A prompt over n targets with a default (or -1), shown at T0. */
static void fresh(struct ask_state *s, size_t n, int def)
{
	ask_state_init(s, n, def, 6);
	CHECK(shown(s, T0) == ASK_PENDING);
}

static void test_defaults(void)
{
	struct ask_state s;
	size_t t = 99;
	struct ask_scope sc;

	ask_state_init(&s, 3, -1, 6);
	CHECK(s.focus == AW_DENY);
	CHECK(s.selected == -1 && !ask_state_allow_enabled(&s));
	CHECK(s.scope == ASK_SCOPE_ONCE);
	CHECK(s.calls == ASK_CALLS_DEFAULT && s.minutes == ASK_MINUTES_DEFAULT);
	CHECK(ask_state_choice(&s, &t, &sc) == -1 && t == 99);
	ask_state_init(&s, 3, 2, 6);
	CHECK(s.selected == 2 && ask_state_allow_enabled(&s) && s.focus == AW_DENY);
	/* A default past the list is no default. */
	ask_state_init(&s, 3, 3, 6);
	CHECK(s.selected == -1);
	/* A default below the visible rows is scrolled into view. */
	ask_state_init(&s, 20, 15, 6);
	CHECK(s.selected == 15 && s.scroll == 10);

	/* Enter and Space on the initial focus deny, even with a default. */
	fresh(&s, 3, 0);
	CHECK(key(&s, AK_ENTER, LIVE) == ASK_DENIED);
	fresh(&s, 3, 0);
	CHECK(key(&s, AK_SPACE, LIVE) == ASK_DENIED);
	CHECK(ask_state_choice(&s, &t, &sc) == -1);
}

static void test_deny_paths(void)
{
	struct ask_state s;

	fresh(&s, 2, 1);
	CHECK(key(&s, AK_ESCAPE, LIVE) == ASK_DENIED);
	fresh(&s, 2, 1);
	CHECK(click(&s, AW_DENY, 0, LIVE) == ASK_DENIED);
	/* Closing and the deadline deny whenever they come, guard or not. */
	fresh(&s, 2, 1);
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_CLOSE, .ms = T0 + 1 }) == ASK_DENIED);
	ask_state_init(&s, 2, 1, 6);
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_TIMEOUT, .ms = 5 }) == ASK_DENIED);
	/* Decided is final: nothing afterwards turns a deny into an allow. */
	CHECK(click(&s, AW_ALLOW, 0, LIVE + 10000) == ASK_DENIED);
	CHECK(shown(&s, LIVE) == ASK_DENIED);
	CHECK(key(&s, AK_ENTER, LIVE + 20000) == ASK_DENIED && s.outcome == ASK_DENIED);
	/* And an allow stays an allow. */
	fresh(&s, 2, 1);
	CHECK(click(&s, AW_ALLOW, 0, LIVE) == ASK_ALLOWED);
	CHECK(key(&s, AK_ESCAPE, LIVE + 5) == ASK_ALLOWED);
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_TIMEOUT, .ms = LIVE + 6 }) == ASK_ALLOWED);
}

static void test_guard(void)
{
	struct ask_state s;

	/* Before the window is shown, nothing counts (Escape included). */
	ask_state_init(&s, 2, 0, 6);
	CHECK(key(&s, AK_ESCAPE, T0) == ASK_PENDING);
	CHECK(click(&s, AW_ALLOW, 0, T0) == ASK_PENDING);
	CHECK(!ask_state_accepts_input(&s, T0 + 100000));

	/* For ASK_GUARD_MS after showing: clicks, keys, wheel ignored. */
	CHECK(shown(&s, T0) == ASK_PENDING);
	CHECK(click(&s, AW_ALLOW, 0, T0) == ASK_PENDING);
	CHECK(click(&s, AW_ALLOW, 0, LIVE - 2) == ASK_PENDING);
	CHECK(key(&s, AK_ESCAPE, LIVE - 1) == ASK_PENDING);
	CHECK(key(&s, AK_TAB, LIVE - 1) == ASK_PENDING && s.focus == AW_DENY);
	CHECK(click(&s, AW_TARGETS, 1, LIVE - 3) == ASK_PENDING && s.selected == 0);
	CHECK(!ask_state_accepts_input(&s, LIVE - 1) && ask_state_accepts_input(&s, LIVE));
	/* A press in the guard and its release after it: no click. */
	CHECK(press(&s, AW_ALLOW, 0, LIVE - 1) == ASK_PENDING);
	CHECK(release(&s, AW_ALLOW, LIVE + 1) == ASK_PENDING);
	/* A press elsewhere released on Allow: no click either. */
	CHECK(press(&s, AW_NONE, 0, LIVE + 2) == ASK_PENDING);
	CHECK(release(&s, AW_ALLOW, LIVE + 3) == ASK_PENDING);
	CHECK(press(&s, AW_DENY, 0, LIVE + 4) == ASK_PENDING);
	CHECK(release(&s, AW_ALLOW, LIVE + 5) == ASK_PENDING);
	/* Hidden (unmapped or covered), then shown again: the guard again. */
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_HIDDEN, .ms = LIVE + 10 }) == ASK_PENDING);
	CHECK(click(&s, AW_ALLOW, 0, LIVE + 20) == ASK_PENDING);
	CHECK(shown(&s, LIVE + 1000) == ASK_PENDING);
	CHECK(click(&s, AW_ALLOW, 0, LIVE + 1000 + ASK_GUARD_MS - 2) == ASK_PENDING);
	/* A press accepted, then hidden before the release: no click. */
	CHECK(press(&s, AW_ALLOW, 0, LIVE + 1000 + ASK_GUARD_MS) == ASK_PENDING);
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_HIDDEN, .ms = LIVE + 1600 }) == ASK_PENDING);
	CHECK(shown(&s, LIVE + 1601) == ASK_PENDING);
	CHECK(release(&s, AW_ALLOW, LIVE + 1601 + ASK_GUARD_MS) == ASK_PENDING);
	/* After the guard, the same click allows. */
	CHECK(click(&s, AW_ALLOW, 0, LIVE + 1601 + ASK_GUARD_MS) == ASK_ALLOWED);
}

static void test_allow_needs_target(void)
{
	struct ask_state s;
	size_t t = 99;
	struct ask_scope sc;

	fresh(&s, 3, -1);
	CHECK(click(&s, AW_ALLOW, 0, LIVE) == ASK_PENDING);
	/* The Tab ring skips a disabled Allow: Deny -> list -> 4 scopes -> Deny. */
	CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING && s.focus == AW_TARGETS);
	for (int i = 0; i < 4; i++)
		CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING);
	CHECK(s.focus == AW_SCOPE_ALWAYS);
	CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING && s.focus == AW_DENY);
	CHECK(key(&s, AK_BACKTAB, LIVE) == ASK_PENDING && s.focus == AW_SCOPE_ALWAYS);
	CHECK(s.scope == ASK_SCOPE_ONCE);   /* Tab moves, it does not pick */
	/* Picking a target enables it; now the ring includes it. */
	CHECK(click(&s, AW_TARGETS, 2, LIVE) == ASK_PENDING && s.selected == 2 && s.focus == AW_TARGETS);
	CHECK(key(&s, AK_BACKTAB, LIVE) == ASK_PENDING && s.focus == AW_DENY);
	CHECK(key(&s, AK_BACKTAB, LIVE) == ASK_PENDING && s.focus == AW_ALLOW);
	CHECK(key(&s, AK_ENTER, LIVE) == ASK_ALLOWED);
	CHECK(ask_state_choice(&s, &t, &sc) == 0 && t == 2 && sc.kind == ASK_SCOPE_ONCE && sc.value == 0);
}

static void test_targets_restricted(void)
{
	struct ask_state s;

	fresh(&s, 3, -1);
	/* Rows past the last target, and the list's border: nothing picked. */
	CHECK(click(&s, AW_TARGETS, 3, LIVE) == ASK_PENDING && s.selected == -1);
	CHECK(click(&s, AW_TARGETS, (size_t)-1, LIVE) == ASK_PENDING && s.selected == -1);
	CHECK(click(&s, AW_ALLOW, 0, LIVE) == ASK_PENDING);
	/* Keys stay within the list. */
	CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING && s.focus == AW_TARGETS);
	CHECK(key(&s, AK_UP, LIVE) == ASK_PENDING && s.selected == 0);
	CHECK(key(&s, AK_UP, LIVE) == ASK_PENDING && s.selected == 0);
	CHECK(key(&s, AK_DOWN, LIVE) == ASK_PENDING && s.selected == 1);
	CHECK(key(&s, AK_END, LIVE) == ASK_PENDING && s.selected == 2);
	CHECK(key(&s, AK_DOWN, LIVE) == ASK_PENDING && s.selected == 2);
	CHECK(key(&s, AK_PAGEDOWN, LIVE) == ASK_PENDING && s.selected == 2);
	CHECK(key(&s, AK_HOME, LIVE) == ASK_PENDING && s.selected == 0);
	CHECK(key(&s, AK_PAGEUP, LIVE) == ASK_PENDING && s.selected == 0);
	CHECK(key(&s, AK_OTHER, LIVE) == ASK_PENDING && s.selected == 0);

	/* A long list scrolls so that the selection stays visible. */
	fresh(&s, 20, -1);
	CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING);
	CHECK(key(&s, AK_DOWN, LIVE) == ASK_PENDING && s.selected == 0 && s.scroll == 0);
	for (int i = 0; i < 6; i++)
		(void)key(&s, AK_DOWN, LIVE);
	CHECK(s.selected == 6 && s.scroll == 1);
	CHECK(key(&s, AK_PAGEDOWN, LIVE) == ASK_PENDING && s.selected == 12 && s.scroll == 7);
	CHECK(key(&s, AK_END, LIVE) == ASK_PENDING && s.selected == 19 && s.scroll == 14);
	CHECK(key(&s, AK_PAGEUP, LIVE) == ASK_PENDING && s.selected == 13 && s.scroll == 13);
	CHECK(key(&s, AK_HOME, LIVE) == ASK_PENDING && s.selected == 0 && s.scroll == 0);
	/* The wheel scrolls without picking, within bounds. */
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_SCROLL, .ms = LIVE, .delta = 3 }) == ASK_PENDING);
	CHECK(s.scroll == 3 && s.selected == 0);
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_SCROLL, .ms = LIVE, .delta = 100 }) ==
	      ASK_PENDING && s.scroll == 14);
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_SCROLL, .ms = LIVE, .delta = -100 }) ==
	      ASK_PENDING && s.scroll == 0);
	/* A click lands on the row under the pointer: scroll + visible row. */
	(void)ask_state_event(&s, &(struct ask_event){ .type = AE_SCROLL, .ms = LIVE, .delta = 5 });
	CHECK(click(&s, AW_TARGETS, 5 + 4, LIVE) == ASK_PENDING && s.selected == 9);
	/* A short list never scrolls. */
	fresh(&s, 2, -1);
	CHECK(ask_state_event(&s, &(struct ask_event){ .type = AE_SCROLL, .ms = LIVE, .delta = 4 }) ==
	      ASK_PENDING && s.scroll == 0);
}

/* Picks target 0 and the given scope through the window, allows, and
 * returns the choice's scope. */
static struct ask_scope allowed_scope(struct ask_state *s)
{
	struct ask_scope sc = { ASK_SCOPE_ONCE, 12345 };
	size_t t = 99;

	CHECK(click(s, AW_ALLOW, 0, LIVE + 50) == ASK_ALLOWED);
	CHECK(ask_state_choice(s, &t, &sc) == 0 && t == 0);
	return sc;
}

static void test_scopes(void)
{
	struct ask_state s;
	struct ask_scope sc;

	/* Each scope by mouse. */
	fresh(&s, 1, 0);
	sc = allowed_scope(&s);
	CHECK(sc.kind == ASK_SCOPE_ONCE && sc.value == 0);
	fresh(&s, 1, 0);
	CHECK(click(&s, AW_SCOPE_CALLS, 0, LIVE) == ASK_PENDING);
	CHECK(click(&s, AW_CALLS_INC, 0, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_DEFAULT + 1);
	sc = allowed_scope(&s);
	CHECK(sc.kind == ASK_SCOPE_CALLS && sc.value == ASK_CALLS_DEFAULT + 1);
	fresh(&s, 1, 0);
	CHECK(click(&s, AW_MINUTES_DEC, 0, LIVE) == ASK_PENDING);   /* [-] also picks its scope */
	CHECK(s.scope == ASK_SCOPE_MINUTES && s.focus == AW_SCOPE_MINUTES);
	sc = allowed_scope(&s);
	CHECK(sc.kind == ASK_SCOPE_MINUTES && sc.value == ASK_MINUTES_DEFAULT - 1);
	fresh(&s, 1, 0);
	CHECK(click(&s, AW_SCOPE_ALWAYS, 0, LIVE) == ASK_PENDING);
	sc = allowed_scope(&s);
	CHECK(sc.kind == ASK_SCOPE_ALWAYS && sc.value == 0);
	/* Another scope picked after adjusting N: N is not reported. */
	fresh(&s, 1, 0);
	CHECK(click(&s, AW_CALLS_INC, 0, LIVE) == ASK_PENDING);
	CHECK(click(&s, AW_SCOPE_ONCE, 0, LIVE) == ASK_PENDING);
	sc = allowed_scope(&s);
	CHECK(sc.kind == ASK_SCOPE_ONCE && sc.value == 0);

	/* N stays in [ASK_CALLS_MIN, ASK_CALLS_MAX] whatever is pressed. */
	fresh(&s, 1, 0);
	for (int i = 0; i < 20; i++)
		(void)click(&s, AW_CALLS_DEC, 0, LIVE);
	CHECK(s.calls == ASK_CALLS_MIN);
	CHECK(key(&s, AK_MINUS, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MIN);
	CHECK(key(&s, AK_LEFT, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MIN);
	CHECK(key(&s, AK_PAGEDOWN, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MIN);
	CHECK(key(&s, AK_RIGHT, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MIN + 1);
	CHECK(key(&s, AK_PAGEUP, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MIN + 1 + ASK_VALUE_STEP_BIG);
	CHECK(key(&s, AK_END, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MAX);
	CHECK(key(&s, AK_PLUS, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MAX);
	CHECK(key(&s, AK_PAGEUP, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MAX);
	CHECK(click(&s, AW_CALLS_INC, 0, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MAX);
	CHECK(key(&s, AK_HOME, LIVE) == ASK_PENDING && s.calls == ASK_CALLS_MIN);
	CHECK(s.minutes == ASK_MINUTES_DEFAULT);   /* the other value untouched */
	(void)key(&s, AK_END, LIVE);
	sc = allowed_scope(&s);
	CHECK(sc.kind == ASK_SCOPE_CALLS && sc.value == ASK_CALLS_MAX);

	/* T stays in [ASK_MINUTES_MIN, ASK_MINUTES_MAX]; by keyboard only. */
	fresh(&s, 1, 0);
	CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING && s.focus == AW_TARGETS);
	CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING && s.focus == AW_SCOPE_ONCE);
	CHECK(key(&s, AK_DOWN, LIVE) == ASK_PENDING && s.focus == AW_SCOPE_CALLS && s.scope == ASK_SCOPE_CALLS);
	CHECK(key(&s, AK_DOWN, LIVE) == ASK_PENDING && s.focus == AW_SCOPE_MINUTES && s.scope == ASK_SCOPE_MINUTES);
	CHECK(key(&s, AK_HOME, LIVE) == ASK_PENDING && s.minutes == ASK_MINUTES_MIN);
	CHECK(key(&s, AK_MINUS, LIVE) == ASK_PENDING && s.minutes == ASK_MINUTES_MIN);
	CHECK(key(&s, AK_END, LIVE) == ASK_PENDING && s.minutes == ASK_MINUTES_MAX);
	CHECK(key(&s, AK_RIGHT, LIVE) == ASK_PENDING && s.minutes == ASK_MINUTES_MAX);
	CHECK(key(&s, AK_PAGEDOWN, LIVE) == ASK_PENDING && s.minutes == ASK_MINUTES_MAX - ASK_VALUE_STEP_BIG);
	CHECK(key(&s, AK_DOWN, LIVE) == ASK_PENDING && s.scope == ASK_SCOPE_ALWAYS);
	CHECK(key(&s, AK_DOWN, LIVE) == ASK_PENDING && s.scope == ASK_SCOPE_ALWAYS);   /* last radio */
	CHECK(key(&s, AK_UP, LIVE) == ASK_PENDING && s.scope == ASK_SCOPE_MINUTES);
	CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING && s.focus == AW_SCOPE_ALWAYS && s.scope == ASK_SCOPE_MINUTES);
	CHECK(key(&s, AK_TAB, LIVE) == ASK_PENDING && s.focus == AW_ALLOW);
	CHECK(key(&s, AK_ENTER, LIVE) == ASK_ALLOWED);
	{
		size_t t;

		CHECK(ask_state_choice(&s, &t, &sc) == 0);
		CHECK(sc.kind == ASK_SCOPE_MINUTES && sc.value == ASK_MINUTES_MAX - ASK_VALUE_STEP_BIG);
	}
	/* Space on a radio picks it; Up at the first radio stays. */
	fresh(&s, 1, 0);
	(void)key(&s, AK_TAB, LIVE);
	(void)key(&s, AK_TAB, LIVE);
	CHECK(key(&s, AK_UP, LIVE) == ASK_PENDING && s.focus == AW_SCOPE_ONCE);
	(void)key(&s, AK_TAB, LIVE);
	(void)key(&s, AK_TAB, LIVE);
	(void)key(&s, AK_TAB, LIVE);
	CHECK(s.focus == AW_SCOPE_ALWAYS && s.scope == ASK_SCOPE_ONCE);
	CHECK(key(&s, AK_SPACE, LIVE) == ASK_PENDING && s.scope == ASK_SCOPE_ALWAYS);
}

static struct ask_rect center_of(struct ask_rect r)
{
	return (struct ask_rect){ r.x + r.w / 2, r.y + r.h / 2, 0, 0 };
}

static enum ask_widget hit_at(const struct ask_layout *l, size_t scroll, struct ask_rect r, size_t *idx)
{
	struct ask_rect c = center_of(r);

	return ask_layout_hit(l, scroll, c.x, c.y, idx);
}

static int overlap(struct ask_rect a, struct ask_rect b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static void test_layout(void)
{
	struct ask_metrics m = { 9, 12, 3 };
	struct ask_layout l;
	size_t idx;
	struct ask_rect parts[12];
	size_t np = 0;

	CHECK(ask_text_lines(0) == 1 && ask_text_lines(1) == 1 && ask_text_lines(ASK_TEXT_COLS) == 1);
	CHECK(ask_text_lines(ASK_TEXT_COLS + 1) == 2 && ask_text_lines(100000) == ASK_TEXT_LINES_MAX);

	ask_layout_compute(&l, &m, 4, 14, 0);
	CHECK(l.width > 0 && l.height > 0 && l.rows == 4);
	CHECK(hit_at(&l, 0, l.allow, &idx) == AW_ALLOW);
	CHECK(hit_at(&l, 0, l.deny, &idx) == AW_DENY);
	CHECK(hit_at(&l, 0, l.radio[0], &idx) == AW_SCOPE_ONCE);
	CHECK(hit_at(&l, 0, l.radio[3], &idx) == AW_SCOPE_ALWAYS);
	CHECK(hit_at(&l, 0, l.calls_dec, &idx) == AW_CALLS_DEC);
	CHECK(hit_at(&l, 0, l.calls_inc, &idx) == AW_CALLS_INC);
	CHECK(hit_at(&l, 0, l.calls_val, &idx) == AW_SCOPE_CALLS);
	CHECK(hit_at(&l, 0, l.minutes_dec, &idx) == AW_MINUTES_DEC);
	CHECK(hit_at(&l, 0, l.minutes_inc, &idx) == AW_MINUTES_INC);
	CHECK(ask_layout_hit(&l, 0, l.radio[2].x + 2, l.radio[2].y + 2, &idx) == AW_SCOPE_MINUTES);
	for (size_t r = 0; r < l.rows; r++) {
		CHECK(hit_at(&l, 0, ask_layout_row(&l, r), &idx) == AW_TARGETS && idx == r);
		CHECK(hit_at(&l, 7, ask_layout_row(&l, r), &idx) == AW_TARGETS && idx == 7 + r);
	}
	CHECK(ask_layout_hit(&l, 0, l.list.x, l.list.y, &idx) == AW_TARGETS && idx == (size_t)-1);
	CHECK(ask_layout_hit(&l, 0, 1, 1, &idx) == AW_NONE);
	CHECK(ask_layout_hit(&l, 0, -5, -5, &idx) == AW_NONE);
	CHECK(ask_layout_hit(&l, 0, l.width + 5, l.height / 2, &idx) == AW_NONE);
	/* Nothing clickable overlaps anything else, and all of it is inside. */
	parts[np++] = l.allow;
	parts[np++] = l.deny;
	parts[np++] = l.list;
	for (int i = 0; i < 4; i++)
		parts[np++] = l.radio[i];
	for (size_t i = 0; i < np; i++) {
		CHECK(parts[i].x >= 0 && parts[i].y >= 0 && parts[i].x + parts[i].w <= l.width &&
		      parts[i].y + parts[i].h <= l.height);
		for (size_t j = i + 1; j < np; j++)
			CHECK(!overlap(parts[i], parts[j]));
	}
	CHECK(!overlap(l.calls_dec, l.calls_inc) && !overlap(l.calls_val, l.calls_inc));
	CHECK(!overlap(l.minutes_dec, l.minutes_val));
	/* Long lists show ASK_LIST_ROWS_MAX rows; long text takes more lines. */
	ask_layout_compute(&l, &m, 2048, 64 * 3 + 1, 65);
	CHECK(l.rows == ASK_LIST_ROWS_MAX && l.service_lines == 3 && l.argument_lines == 2);
}

int main(void)
{
	test_defaults();
	test_deny_paths();
	test_guard();
	test_allow_needs_target();
	test_targets_restricted();
	test_scopes();
	test_layout();
	return check_exit();
}
