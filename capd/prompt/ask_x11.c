/* The X11 front end (ask_ui.h): the window, its properties, and the
 * event loop that feeds the state machine (ask_state.c).  Drawing is in
 * ask_draw.c, geometry in ask_layout.c. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capd/prompt/ask_draw.h"
#include "capd/prompt/ask_keymap.h"
#include "capd/prompt/ask_ui.h"
#include "lib/io.h"

#define ASK_WM_CLASS     "bulkhead-ask\0Bulkhead-ask"   /* instance, class (the driver finds us by it) */
#define ASK_TITLE_MAX    96u

enum atom { A_WM_PROTOCOLS, A_WM_DELETE_WINDOW, A_NET_WM_NAME, A_UTF8_STRING, A_NET_WM_WINDOW_TYPE,
	    A_NET_WM_WINDOW_TYPE_DIALOG, A_NET_WM_STATE, A_NET_WM_STATE_ABOVE, A_COUNT };
static const char *const atom_names[A_COUNT] = {
	"WM_PROTOCOLS", "WM_DELETE_WINDOW", "_NET_WM_NAME", "UTF8_STRING", "_NET_WM_WINDOW_TYPE",
	"_NET_WM_WINDOW_TYPE_DIALOG", "_NET_WM_STATE", "_NET_WM_STATE_ABOVE",
};

struct x11 {
	struct ask_gfx g;
	struct ask_layout l;
	struct ask_state s;
	struct ask_keymap km;
	const struct ask_args *a;
	xcb_atom_t atoms[A_COUNT];
	int obscured;              /* fully covered since the last VisibilityNotify */
};

static int intern_atoms(xcb_connection_t *c, xcb_atom_t *out)
{
	xcb_intern_atom_cookie_t ck[A_COUNT];
	int rc = 0;

	for (int i = 0; i < A_COUNT; i++)
		ck[i] = xcb_intern_atom(c, 0, (uint16_t)strlen(atom_names[i]), atom_names[i]);
	for (int i = 0; i < A_COUNT; i++) {
		xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(c, ck[i], NULL);

		out[i] = r ? r->atom : XCB_ATOM_NONE;
		rc = r ? rc : -1;
		free(r);
	}
	return rc;
}

static void set_prop(xcb_connection_t *c, xcb_window_t w, xcb_atom_t prop, xcb_atom_t type, uint8_t format,
		     uint32_t n, const void *data)
{
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, prop, type, format, n, data);
}

/* The window: centred, fixed size, a dialog kept above, closing it is a
 * WM_DELETE_WINDOW message to us. */
static int make_window(struct x11 *x)
{
	xcb_connection_t *c = x->g.c;
	xcb_screen_t *scr = x->g.screen;
	int w = x->l.width, h = x->l.height;
	int16_t px = (int16_t)(scr->width_in_pixels > w ? (scr->width_in_pixels - w) / 2 : 0);
	int16_t py = (int16_t)(scr->height_in_pixels > h ? (scr->height_in_pixels - h) / 3 : 0);
	uint32_t values[2] = { x->g.pixel[AC_BG], XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_KEY_PRESS |
			       XCB_EVENT_MASK_BUTTON_PRESS | XCB_EVENT_MASK_BUTTON_RELEASE |
			       XCB_EVENT_MASK_STRUCTURE_NOTIFY | XCB_EVENT_MASK_VISIBILITY_CHANGE };
	/* WM_NORMAL_HINTS: flags USPosition|PMinSize|PMaxSize, then the sizes. */
	uint32_t hints[18] = { 1u | 16u | 32u, (uint32_t)px, (uint32_t)py, (uint32_t)w, (uint32_t)h,
			       (uint32_t)w, (uint32_t)h, (uint32_t)w, (uint32_t)h };
	char title[ASK_TITLE_MAX];
	int tn;

	if (w > UINT16_MAX || h > UINT16_MAX || intern_atoms(c, x->atoms) < 0)
		return -1;
	x->g.win = xcb_generate_id(c);
	xcb_create_window(c, XCB_COPY_FROM_PARENT, x->g.win, scr->root, px, py, (uint16_t)w, (uint16_t)h, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, scr->root_visual, XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK,
			  values);
	tn = snprintf(title, sizeof(title), "Bulkhead: service request from %s", x->a->source);
	if (tn < 0 || (size_t)tn >= sizeof(title))
		return -1;
	set_prop(c, x->g.win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8, (uint32_t)tn, title);
	set_prop(c, x->g.win, x->atoms[A_NET_WM_NAME], x->atoms[A_UTF8_STRING], 8, (uint32_t)tn, title);
	set_prop(c, x->g.win, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING, 8, sizeof(ASK_WM_CLASS), ASK_WM_CLASS);
	set_prop(c, x->g.win, x->atoms[A_WM_PROTOCOLS], XCB_ATOM_ATOM, 32, 1, &x->atoms[A_WM_DELETE_WINDOW]);
	set_prop(c, x->g.win, XCB_ATOM_WM_NORMAL_HINTS, XCB_ATOM_WM_SIZE_HINTS, 32, 18, hints);
	set_prop(c, x->g.win, x->atoms[A_NET_WM_WINDOW_TYPE], XCB_ATOM_ATOM, 32, 1,
		 &x->atoms[A_NET_WM_WINDOW_TYPE_DIALOG]);
	set_prop(c, x->g.win, x->atoms[A_NET_WM_STATE], XCB_ATOM_ATOM, 32, 1, &x->atoms[A_NET_WM_STATE_ABOVE]);

	x->g.buf = xcb_generate_id(c);
	xcb_create_pixmap(c, scr->root_depth, x->g.buf, x->g.win, (uint16_t)w, (uint16_t)h);
	x->g.gc = xcb_generate_id(c);
	xcb_create_gc(c, x->g.gc, x->g.buf, XCB_GC_GRAPHICS_EXPOSURES, (uint32_t[]){ 0 });
	xcb_map_window(c, x->g.win);
	xcb_flush(c);
	return xcb_connection_has_error(c) ? -1 : 0;
}

/* One X event into at most one state-machine event; 1 when the window
 * needs drawing. */
static int handle(struct x11 *x, const xcb_generic_event_t *e)
{
	struct ask_event ev = { .type = AE_KEY, .ms = now_ms(), .widget = AW_NONE };
	int feed = 1;

	switch (e->response_type & 0x7f) {
	case XCB_EXPOSE:
		return ((const xcb_expose_event_t *)e)->count == 0;
	case XCB_MAP_NOTIFY:
		ev.type = AE_SHOWN;
		x->obscured = 0;
		/* Keyboard focus to the prompt (a window manager may refuse). */
		xcb_set_input_focus(x->g.c, XCB_INPUT_FOCUS_PARENT, x->g.win, XCB_CURRENT_TIME);
		break;
	case XCB_UNMAP_NOTIFY:
		ev.type = AE_HIDDEN;
		break;
	case XCB_VISIBILITY_NOTIFY:
		/* Fully covered: no input.  Uncovered again: the guard again, so
		 * a window moved away under the pointer cannot hand us a click. */
		if (((const xcb_visibility_notify_event_t *)e)->state == XCB_VISIBILITY_FULLY_OBSCURED) {
			x->obscured = 1;
			ev.type = AE_HIDDEN;
		} else if (x->obscured) {
			x->obscured = 0;
			ev.type = AE_SHOWN;
		} else {
			feed = 0;
		}
		break;
	case XCB_DESTROY_NOTIFY:
		ev.type = AE_CLOSE;
		break;
	case XCB_CLIENT_MESSAGE: {
		const xcb_client_message_event_t *m = (const void *)e;

		if (m->type != x->atoms[A_WM_PROTOCOLS] || m->format != 32 ||
		    m->data.data32[0] != x->atoms[A_WM_DELETE_WINDOW])
			return 0;
		ev.type = AE_CLOSE;
		break;
	}
	case XCB_KEY_PRESS: {
		const xcb_key_press_event_t *k = (const void *)e;
		int shift = (k->state & XCB_MOD_MASK_SHIFT) != 0;

		ev.key = ask_key_from_sym(ask_keymap_sym(&x->km, k->detail, shift), shift);
		break;
	}
	case XCB_BUTTON_PRESS:
	case XCB_BUTTON_RELEASE: {
		const xcb_button_press_event_t *b = (const void *)e;
		int press = (e->response_type & 0x7f) == XCB_BUTTON_PRESS;

		ev.widget = ask_layout_hit(&x->l, x->s.scroll, b->event_x, b->event_y, &ev.index);
		if (b->detail == XCB_BUTTON_INDEX_1) {
			ev.type = press ? AE_PRESS : AE_RELEASE;
		} else if ((b->detail == XCB_BUTTON_INDEX_4 || b->detail == XCB_BUTTON_INDEX_5) && press &&
			   ev.widget == AW_TARGETS) {
			ev.type = AE_SCROLL;
			ev.delta = b->detail == XCB_BUTTON_INDEX_4 ? -1 : 1;
		} else {
			feed = 0;
		}
		break;
	}
	default:
		return 0;   /* errors (a refused focus change) and the rest */
	}
	if (feed)
		(void)ask_state_event(&x->s, &ev);
	return 1;
}

static void feed(struct x11 *x, enum ask_event_type type)
{
	(void)ask_state_event(&x->s, &(struct ask_event){ .type = type, .ms = now_ms() });
}

/* Events in, frames out, until the state machine decides.  xcb may read
 * events into its queue while it writes (a flush): those are taken from
 * the queue before sleeping in poll(), or they would wait for the next
 * byte from the server. */
static enum ask_outcome run(struct x11 *x, uint64_t deadline_ms)
{
	int fd = xcb_get_file_descriptor(x->g.c), redraw = 1;

	while (x->s.outcome == ASK_PENDING) {
		xcb_generic_event_t *e;

		if (redraw)
			ask_draw(&x->g, &x->l, &x->s, x->a);
		redraw = 0;
		xcb_flush(x->g.c);
		if (xcb_connection_has_error(x->g.c)) {
			feed(x, AE_CLOSE);   /* the X server went away: nobody can answer */
			break;
		}
		e = xcb_poll_for_queued_event(x->g.c);
		if (e == NULL) {
			uint64_t now = now_ms(), left;
			struct pollfd p = { fd, POLLIN, 0 };

			if (now >= deadline_ms) {
				feed(x, AE_TIMEOUT);
				break;
			}
			left = deadline_ms - now;
			if (poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) < 0 && errno != EINTR) {
				feed(x, AE_CLOSE);
				break;
			}
			e = xcb_poll_for_event(x->g.c);
		}
		while (e != NULL) {
			if (x->s.outcome == ASK_PENDING)
				redraw |= handle(x, e);
			free(e);
			e = x->s.outcome == ASK_PENDING ? xcb_poll_for_event(x->g.c) : NULL;
		}
	}
	return x->s.outcome;
}

int ask_x11_run(const struct ask_args *a, uint64_t deadline_ms, size_t *target, struct ask_scope *scope,
		const char **why)
{
	static struct x11 x;
	int screen_no = 0, rc;
	xcb_screen_iterator_t it;

	memset(&x, 0, sizeof(x));
	x.a = a;
	x.g.c = xcb_connect(NULL, &screen_no);
	if (xcb_connection_has_error(x.g.c)) {
		xcb_disconnect(x.g.c);
		*why = "cannot connect to the X server on $DISPLAY";
		return ASK_UI_UNAVAILABLE;
	}
	it = xcb_setup_roots_iterator(xcb_get_setup(x.g.c));
	for (int i = 0; i < screen_no && it.rem; i++)
		xcb_screen_next(&it);
	x.g.screen = it.rem ? it.data : NULL;
	if (x.g.screen == NULL || ask_keymap_load(x.g.c, &x.km) < 0 ||
	    ask_fonts_open(x.g.c, &x.g.font, &x.g.bold, &x.g.m) < 0 || ask_palette(&x.g, a->label) < 0) {
		ask_keymap_free(&x.km);
		xcb_disconnect(x.g.c);
		*why = "the X server has no usable screen, keyboard map or font";
		return ASK_UI_UNAVAILABLE;
	}
	ask_layout_compute(&x.l, &x.g.m, a->ntargets, ask_escaped_len(a->service, a->name_len),
			   ask_escaped_len(a->service + a->name_len + 1, a->service_len - a->name_len - 1));
	ask_state_init(&x.s, a->ntargets, a->default_idx, x.l.rows);
	if (make_window(&x) < 0) {
		ask_keymap_free(&x.km);
		xcb_disconnect(x.g.c);
		*why = "cannot create the prompt window";
		return ASK_UI_UNAVAILABLE;
	}
	if (ask_sandbox() < 0) {
		*why = "cannot install the seccomp policy";
		rc = ASK_DENIED;
	} else {
		rc = run(&x, deadline_ms) == ASK_ALLOWED && ask_state_choice(&x.s, target, scope) == 0 ? ASK_ALLOWED
													: ASK_DENIED;
		*why = rc == ASK_ALLOWED ? "allowed" : "denied";
	}
	if (!xcb_connection_has_error(x.g.c)) {
		xcb_destroy_window(x.g.c, x.g.win);
		xcb_flush(x.g.c);
	}
	ask_keymap_free(&x.km);
	xcb_disconnect(x.g.c);
	return rc;
}
