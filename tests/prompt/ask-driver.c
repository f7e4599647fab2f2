/* ask-driver: drives bulkhead-ask's window under Xvfb for
 * tests/integration/prompt_x11.sh, with synthetic input through the
 * XTEST extension (the same path a real keyboard and mouse take), and
 * takes screenshots.
 *
 *   ask-driver wait MS                  until the prompt window is viewable; prints its id
 *   ask-driver gone MS                  until no prompt window is left
 *   ask-driver key KEY...               taps keys: Escape Return Tab BackTab Up Down Left
 *                                       Right plus minus space Page_Up Page_Down Home End
 *   ask-driver click WIDGET -- ARGS...  clicks a widget of the prompt started with ARGS
 *   ask-driver early-click WIDGET MAXMS -- ARGS...
 *                                       waits for the window and clicks at once; fails
 *                                       unless the click was sent within MAXMS of seeing
 *                                       the window mapped
 *   ask-driver close                    asks to close it, as a window manager does
 *   ask-driver shot FILE.png            the window's pixels as a PNG
 *
 * WIDGET: allow deny once calls minutes always calls- calls+ minutes-
 * minutes+ target:N.  Its place comes from the prompt's own layout code
 * (capd/prompt/ask_layout.c) with the prompt's own fonts, for the same
 * arguments, so the driver clicks where the prompt hit-tests.
 * Exit 0 done, 1 failed (one line on stderr), 2 usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcb.h>
#include <xcb/xtest.h>
#include <zlib.h>

#include "capd/prompt/ask_args.h"
#include "capd/prompt/ask_draw.h"
#include "capd/prompt/ask_keymap.h"
#include "capd/prompt/ask_layout.h"
#include "lib/io.h"

#define WM_CLASS_INSTANCE "bulkhead-ask"
#define POLL_MS           5u
#define SHOT_MAX_PIXELS   (4096u * 4096u)

static xcb_connection_t *c;
static xcb_screen_t *scr;

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "ask-driver: %s\n", what);
	exit(1);
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: ask-driver wait MS | gone MS | key KEY... | click WIDGET -- ARGS... |\n"
			"       early-click WIDGET MAXMS -- ARGS... | close | shot FILE.png\n");
	exit(2);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Waits until the server has processed everything sent so far. */
static void sync_server(void)
{
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
}

/* The prompt's top-level window, mapped or not (0: none).  A viewable
 * one wins: the previous case's window may linger, unmapped, a moment
 * after its prompt exited (under load, long enough to be found first). */
static xcb_window_t find_prompt(int *viewable)
{
	xcb_query_tree_reply_t *t = xcb_query_tree_reply(c, xcb_query_tree(c, scr->root), NULL);
	xcb_window_t found = 0;

	*viewable = 0;
	if (t == NULL)
		die("cannot list the root window's children");
	for (int i = 0; i < xcb_query_tree_children_length(t) && !*viewable; i++) {
		xcb_window_t w = xcb_query_tree_children(t)[i];
		xcb_get_property_reply_t *p = xcb_get_property_reply(c,
			xcb_get_property(c, 0, w, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING, 0, 16), NULL);

		if (p && xcb_get_property_value_length(p) >= (int)sizeof(WM_CLASS_INSTANCE) &&
		    memcmp(xcb_get_property_value(p), WM_CLASS_INSTANCE, sizeof(WM_CLASS_INSTANCE)) == 0) {
			xcb_get_window_attributes_reply_t *a =
				xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, w), NULL);

			if (a && a->map_state == XCB_MAP_STATE_VIEWABLE) {
				found = w;
				*viewable = 1;
			} else if (!found) {
				found = w;
			}
			free(a);
		}
		free(p);
	}
	free(t);
	return found;
}

static xcb_window_t wait_prompt(unsigned ms)
{
	uint64_t until = now_ms() + ms;

	for (;;) {
		int viewable;
		xcb_window_t w = find_prompt(&viewable);

		if (w && viewable)
			return w;
		if (now_ms() >= until)
			die("no prompt window appeared");
		sleep_ms(POLL_MS);
	}
}

static xcb_window_t the_prompt(void)
{
	int viewable;
	xcb_window_t w = find_prompt(&viewable);

	if (!w || !viewable)
		die("no prompt window is shown");
	return w;
}

/* ---- keys ---- */

static const struct { const char *name; xcb_keysym_t sym; } keys[] = {
	{ "Escape", ASK_XK_ESCAPE }, { "Return", ASK_XK_RETURN }, { "Tab", ASK_XK_TAB },
	{ "BackTab", ASK_XK_TAB }, { "Up", ASK_XK_UP }, { "Down", ASK_XK_DOWN }, { "Left", ASK_XK_LEFT },
	{ "Right", ASK_XK_RIGHT }, { "plus", ASK_XK_PLUS }, { "minus", ASK_XK_MINUS },
	{ "space", ASK_XK_SPACE }, { "Page_Up", ASK_XK_PAGE_UP }, { "Page_Down", ASK_XK_PAGE_DOWN },
	{ "Home", ASK_XK_HOME }, { "End", ASK_XK_END },
};

static void fake(uint8_t type, uint8_t detail, int16_t x, int16_t y)
{
	xcb_generic_error_t *e = xcb_request_check(c,
		xcb_test_fake_input_checked(c, type, detail, XCB_CURRENT_TIME, scr->root, x, y, 0));

	if (e) {
		free(e);
		die("XTEST refused a fake input event");
	}
}

static void tap(const struct ask_keymap *km, const char *name)
{
	xcb_keycode_t code, shift_code = 0;
	bool shift = false, dummy;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		usage();
	if (ask_keymap_code(km, keys[i].sym, &code, &shift) < 0)
		die("the server's keymap has no code for that key");
	shift |= strcmp(name, "BackTab") == 0;
	if (shift && ask_keymap_code(km, ASK_XK_SHIFT_L, &shift_code, &dummy) < 0)
		die("the server's keymap has no Shift");
	if (shift)
		fake(XCB_KEY_PRESS, shift_code, 0, 0);
	fake(XCB_KEY_PRESS, code, 0, 0);
	fake(XCB_KEY_RELEASE, code, 0, 0);
	if (shift)
		fake(XCB_KEY_RELEASE, shift_code, 0, 0);
	sync_server();
}

/* ---- clicks ---- */

static struct ask_rect widget_rect(const char *name, size_t argc, char **argv)
{
	static struct ask_args a;
	struct ask_layout l;
	struct ask_metrics m;
	xcb_font_t f, b;
	const char *why;

	if (ask_args_parse(argc, argv, &a, &why) < 0) {
		fprintf(stderr, "ask-driver: the prompt's arguments: %s\n", why);
		exit(2);
	}
	if (ask_fonts_open(c, &f, &b, &m) < 0)
		die("no font");
	ask_layout_compute(&l, &m, a.ntargets, ask_escaped_len(a.service, a.name_len),
			   ask_escaped_len(a.service + a.name_len + 1, a.service_len - a.name_len - 1));
	if (strcmp(name, "allow") == 0) return l.allow;
	if (strcmp(name, "deny") == 0) return l.deny;
	if (strcmp(name, "once") == 0) return l.radio[0];
	if (strcmp(name, "calls") == 0) return l.radio[1];
	if (strcmp(name, "minutes") == 0) return l.radio[2];
	if (strcmp(name, "always") == 0) return l.radio[3];
	if (strcmp(name, "calls-") == 0) return l.calls_dec;
	if (strcmp(name, "calls+") == 0) return l.calls_inc;
	if (strcmp(name, "minutes-") == 0) return l.minutes_dec;
	if (strcmp(name, "minutes+") == 0) return l.minutes_inc;
	if (strncmp(name, "target:", 7) == 0) {
		char *end;
		unsigned long row = strtoul(name + 7, &end, 10);

		if (*end || row >= l.rows)
			usage();
		return ask_layout_row(&l, row);
	}
	usage();
}

/* Press and release button 1 at the centre of r (window coordinates):
 * the pointer moves there first, as a user's would. */
static void click(xcb_window_t w, struct ask_rect r)
{
	xcb_translate_coordinates_reply_t *t = xcb_translate_coordinates_reply(c,
		xcb_translate_coordinates(c, w, scr->root, 0, 0), NULL);
	int16_t x, y;

	if (t == NULL)
		die("cannot place the window");
	x = (int16_t)(t->dst_x + r.x + r.w / 2);
	y = (int16_t)(t->dst_y + r.y + r.h / 2);
	free(t);
	fake(XCB_MOTION_NOTIFY, 0, x, y);
	fake(XCB_BUTTON_PRESS, XCB_BUTTON_INDEX_1, 0, 0);
	fake(XCB_BUTTON_RELEASE, XCB_BUTTON_INDEX_1, 0, 0);
	sync_server();
}

/* argv[i] must be "--": the prompt's arguments follow (its argv[1..]). */
static char **prompt_argv(int argc, char **argv, int i, size_t *n)
{
	if (i >= argc || strcmp(argv[i], "--") != 0)
		usage();
	/* ask_args_parse wants argv[0] to be the program: reuse "--". */
	*n = (size_t)(argc - i);
	return argv + i;
}

/* ---- close ---- */

static xcb_atom_t atom(const char *name)
{
	xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, (uint16_t)strlen(name), name),
							   NULL);
	xcb_atom_t a = r ? r->atom : XCB_ATOM_NONE;

	free(r);
	return a;
}

static void close_window(xcb_window_t w)
{
	xcb_client_message_event_t m;

	memset(&m, 0, sizeof(m));
	m.response_type = XCB_CLIENT_MESSAGE;
	m.format = 32;
	m.window = w;
	m.type = atom("WM_PROTOCOLS");
	m.data.data32[0] = atom("WM_DELETE_WINDOW");
	m.data.data32[1] = XCB_CURRENT_TIME;
	xcb_send_event(c, 0, w, XCB_EVENT_MASK_NO_EVENT, (const char *)&m);
	sync_server();
}

/* ---- screenshot ---- */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void chunk(FILE *f, const char *type, const uint8_t *data, uint32_t len)
{
	uint8_t b[4];
	uLong crc = crc32(0, (const Bytef *)type, 4);

	if (len)
		crc = crc32(crc, data, len);
	put_be32(b, len);
	fwrite(b, 1, 4, f);
	fwrite(type, 1, 4, f);
	if (len)
		fwrite(data, 1, len, f);
	put_be32(b, (uint32_t)crc);
	fwrite(b, 1, 4, f);
}

static unsigned mask_shift(uint32_t m)
{
	unsigned s = 0;

	while (m && !(m & 1u)) {
		m >>= 1;
		s++;
	}
	return s;
}

static void shot(xcb_window_t w, const char *path)
{
	xcb_get_geometry_reply_t *g = xcb_get_geometry_reply(c, xcb_get_geometry(c, w), NULL);
	xcb_get_image_reply_t *img;
	const xcb_visualtype_t *v = NULL;
	uint32_t width, height, bpp = 0;
	uint8_t *raw, *z, ihdr[13];
	uLongf zlen;
	FILE *f;

	if (g == NULL)
		die("cannot read the window's size");
	width = g->width;
	height = g->height;
	free(g);
	if ((uint64_t)width * height > SHOT_MAX_PIXELS)
		die("window too large to shoot");
	for (xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator(scr); d.rem; xcb_depth_next(&d))
		for (xcb_visualtype_iterator_t vi = xcb_depth_visuals_iterator(d.data); vi.rem; xcb_visualtype_next(&vi))
			if (vi.data->visual_id == scr->root_visual)
				v = vi.data;
	for (xcb_format_iterator_t fi = xcb_setup_pixmap_formats_iterator(xcb_get_setup(c)); fi.rem;
	     xcb_format_next(&fi))
		if (fi.data->depth == scr->root_depth)
			bpp = fi.data->bits_per_pixel;
	if (v == NULL || v->_class != XCB_VISUAL_CLASS_TRUE_COLOR || bpp != 32)
		die("screenshots need a 24/32-bit TrueColor screen");
	img = xcb_get_image_reply(c, xcb_get_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, w, 0, 0, (uint16_t)width,
						   (uint16_t)height, ~0u), NULL);
	if (img == NULL || (size_t)xcb_get_image_data_length(img) < (size_t)width * height * 4)
		die("cannot read the window's pixels");
	raw = malloc((size_t)height * (1 + 3 * (size_t)width));
	zlen = compressBound((uLong)((size_t)height * (1 + 3 * (size_t)width)));
	z = malloc(zlen);
	if (raw == NULL || z == NULL)
		die("out of memory");
	for (uint32_t y = 0; y < height; y++) {
		uint8_t *row = raw + (size_t)y * (1 + 3 * (size_t)width);
		const uint8_t *src = xcb_get_image_data(img) + (size_t)y * width * 4;

		row[0] = 0;   /* PNG filter: none */
		for (uint32_t x = 0; x < width; x++) {
			uint32_t px;

			/* The server's byte order (Xvfb on x86: LSB first). */
			if (xcb_get_setup(c)->image_byte_order == XCB_IMAGE_ORDER_LSB_FIRST)
				px = (uint32_t)src[4 * x] | (uint32_t)src[4 * x + 1] << 8 |
				     (uint32_t)src[4 * x + 2] << 16 | (uint32_t)src[4 * x + 3] << 24;
			else
				px = (uint32_t)src[4 * x] << 24 | (uint32_t)src[4 * x + 1] << 16 |
				     (uint32_t)src[4 * x + 2] << 8 | (uint32_t)src[4 * x + 3];
			row[1 + 3 * x] = (uint8_t)((px & v->red_mask) >> mask_shift(v->red_mask));
			row[2 + 3 * x] = (uint8_t)((px & v->green_mask) >> mask_shift(v->green_mask));
			row[3 + 3 * x] = (uint8_t)((px & v->blue_mask) >> mask_shift(v->blue_mask));
		}
	}
	free(img);
	if (compress2(z, &zlen, raw, (uLong)((size_t)height * (1 + 3 * (size_t)width)), 9) != Z_OK)
		die("cannot compress the image");
	put_be32(ihdr, width);
	put_be32(ihdr + 4, height);
	ihdr[8] = 8;     /* bits per channel */
	ihdr[9] = 2;     /* RGB */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	f = fopen(path, "wb");
	if (f == NULL)
		die("cannot create the PNG file");
	fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
	chunk(f, "IHDR", ihdr, 13);
	chunk(f, "IDAT", z, (uint32_t)zlen);
	chunk(f, "IEND", NULL, 0);
	if (fclose(f) != 0)
		die("cannot write the PNG file");
	free(raw);
	free(z);
	printf("%s: %ux%u\n", path, width, height);
}

static unsigned ms_arg(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end || v > 600000)
		usage();
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	int screen_no = 0;
	xcb_screen_iterator_t it;

	if (argc < 2)
		usage();
	c = xcb_connect(NULL, &screen_no);
	if (xcb_connection_has_error(c))
		die("cannot connect to $DISPLAY");
	it = xcb_setup_roots_iterator(xcb_get_setup(c));
	for (int i = 0; i < screen_no && it.rem; i++)
		xcb_screen_next(&it);
	if (!it.rem)
		die("no such screen");
	scr = it.data;

	if (strcmp(argv[1], "wait") == 0 && argc == 3) {
		printf("0x%08x\n", wait_prompt(ms_arg(argv[2])));
	} else if (strcmp(argv[1], "gone") == 0 && argc == 3) {
		uint64_t until = now_ms() + ms_arg(argv[2]);
		int viewable;

		while (find_prompt(&viewable) != 0) {
			if (now_ms() >= until)
				die("the prompt window is still there");
			sleep_ms(POLL_MS);
		}
	} else if (strcmp(argv[1], "key") == 0 && argc >= 3) {
		struct ask_keymap km;

		(void)the_prompt();
		if (ask_keymap_load(c, &km) < 0)
			die("no keyboard map");
		for (int i = 2; i < argc; i++)
			tap(&km, argv[i]);
		ask_keymap_free(&km);
	} else if (strcmp(argv[1], "click") == 0 && argc >= 4) {
		size_t n;
		char **pa = prompt_argv(argc, argv, 3, &n);
		struct ask_rect r = widget_rect(argv[2], n, pa);

		click(the_prompt(), r);
	} else if (strcmp(argv[1], "early-click") == 0 && argc >= 5) {
		size_t n;
		char **pa = prompt_argv(argc, argv, 4, &n);
		unsigned maxms = ms_arg(argv[3]);
		struct ask_rect r = widget_rect(argv[2], n, pa);
		xcb_window_t w = wait_prompt(10000);
		uint64_t seen = now_ms(), late;

		click(w, r);
		late = now_ms() - seen;
		printf("clicked %llu ms after the window was seen mapped\n", (unsigned long long)late);
		if (late > maxms)
			die("the click was not early enough to test the guard");
	} else if (strcmp(argv[1], "close") == 0 && argc == 2) {
		close_window(the_prompt());
	} else if (strcmp(argv[1], "shot") == 0 && argc == 3) {
		shot(the_prompt(), argv[2]);
	} else {
		usage();
	}
	xcb_disconnect(c);
	return 0;
}
