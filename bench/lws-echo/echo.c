/*
 * lws-echo: a ws echo server on lws's C library (Debian's libwebsockets-dev,
 * 4.1), the C reference in bench/ws-echo.ts. Not part of the project's build.
 *
 *   gcc -O2 -o lws-echo echo.c $(pkg-config --cflags --libs libwebsockets)
 *   ./lws-echo [--port P] [--deflate]
 *
 * One echo protocol, first in the list so that lws binds it to upgrades
 * offering no subprotocol, under the names "echo", "lws-minimal-server-echo"
 * and "bench" (those server.ts knows). lws 4.1 refuses an upgrade that
 * offers only subprotocols it has no protocol for ("No supported protocol"
 * in lws_process_ws_upgrade) and has no hook to accept one anyway. Each
 * message goes back whole, in one frame, with
 * the opcode it came with: RECEIVE pieces (lws hands a message over in
 * rx-buffer-sized pieces, flagged first/final) are gathered into one buffer,
 * complete messages queue, SERVER_WRITEABLE sends one and asks again while
 * more wait. At 16 queued messages the connection stops reading
 * (lws_rx_flow_control) until the queue is empty, the same bound as
 * `server.ts --mode ws`.
 *
 * --deflate adds lws's own permessage-deflate extension, with one change
 * from its defaults: a 64 KiB inflate buffer (the extension's rx_buf_size
 * option, 2^16, which lws caps at the protocol's rx_buffer_size, so that is
 * 64 KiB too in this mode). With the default 1 KiB buffer, lws 4.1.6 keeps
 * zlib's input pointing into its read buffer while inflated output waits
 * to be handed over, and a later read overwrites that input: "zlib error
 * inflate -3: invalid code lengths set" and a dropped connection, seen with
 * 100 connections echoing 16 KiB messages (about 6:1 compressed). With 64
 * KiB one read's input always inflates at once. Other lws behaviour stays:
 * it compresses every reply, small ones too (no threshold), and when the
 * client offers client_no_context_takeover it also resets its own deflate
 * stream after each message it sends.
 *
 * Listens on 127.0.0.1 only (port 0: any free port), logs errors
 * only, prints "LISTENING ws://127.0.0.1:PORT/" once it serves, and exits on
 * SIGINT/SIGTERM.
 */
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_MAX 16
#define MESSAGE_MAX (16u * 1024 * 1024)
/* --deflate: a 64 KiB inflate buffer (see the header) */
#define PMD_RX_BYTES 65536
#define PMD_RX_BUF_PWR2 "16"


struct msg {
	struct msg *next;
	size_t len, cap;
	int binary;
	unsigned char buf[]; /* LWS_PRE bytes of headroom, then the payload */
};

struct pss {
	struct msg *head, *tail; /* complete messages waiting to go back */
	struct msg *cur;         /* the message being received */
	unsigned int queued;
	int rx_off;              /* rx flow control switched reading off */
};

static volatile int interrupted;
static int deflate_on;

static void free_msgs(struct pss *pss)
{
	struct msg *m = pss->head, *n;

	for (; m; m = n) {
		n = m->next;
		free(m);
	}
	free(pss->cur);
	pss->head = pss->tail = pss->cur = NULL;
	pss->queued = 0;
}

/* append len bytes to the message being received, growing its buffer */
static int gather(struct pss *pss, const void *in, size_t len, int first, int binary)
{
	struct msg *m = pss->cur;
	size_t need;

	if (first && m)
		m->len = 0; /* a new message: reuse the buffer */
	need = (m ? m->len : 0) + len;
	if (need > MESSAGE_MAX)
		return -1;
	if (!m || need > m->cap) {
		size_t cap = m ? m->cap * 2 : 0;
		struct msg *n;

		if (cap < need)
			cap = need < 256 ? 256 : need;
		n = realloc(m, sizeof(*m) + LWS_PRE + cap);
		if (!n)
			return -1;
		if (!m)
			n->len = 0;
		n->cap = cap;
		m = pss->cur = n;
	}
	if (first)
		m->binary = binary;
	if (len)
		memcpy(m->buf + LWS_PRE + m->len, in, len);
	m->len += len;
	return 0;
}

static int callback_echo(struct lws *wsi, enum lws_callback_reasons reason,
			 void *user, void *in, size_t len)
{
	struct pss *pss = user;
	struct msg *m;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(pss, 0, sizeof(*pss));
		if (deflate_on) /* fails, harmlessly, when the client did not negotiate it */
			lws_set_extension_option(wsi, "permessage-deflate", "rx_buf_size", PMD_RX_BUF_PWR2);
		break;

	case LWS_CALLBACK_RECEIVE:
		if (gather(pss, in, len, lws_is_first_fragment(wsi), lws_frame_is_binary(wsi)))
			return -1;
		if (!lws_is_final_fragment(wsi))
			break;
		m = pss->cur;
		pss->cur = NULL;
		m->next = NULL;
		if (pss->tail)
			pss->tail->next = m;
		else
			pss->head = m;
		pss->tail = m;
		if (++pss->queued >= QUEUE_MAX && !pss->rx_off) {
			lws_rx_flow_control(wsi, 0);
			pss->rx_off = 1;
		}
		lws_callback_on_writable(wsi);
		break;

	case LWS_CALLBACK_SERVER_WRITEABLE:
		m = pss->head;
		if (!m)
			break;
		if (lws_write(wsi, m->buf + LWS_PRE, m->len,
			      m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < (int)m->len)
			return -1;
		pss->head = m->next;
		if (!pss->head)
			pss->tail = NULL;
		pss->queued--;
		/* keep one buffer for the next receive instead of freeing it */
		if (!pss->cur) {
			pss->cur = m;
			m->len = 0;
		} else
			free(m);
		if (pss->head)
			lws_callback_on_writable(wsi);
		else if (pss->rx_off) {
			lws_rx_flow_control(wsi, 1);
			pss->rx_off = 0;
		}
		break;

	case LWS_CALLBACK_CLOSED:
		free_msgs(pss);
		break;

	default:
		break;
	}

	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static struct lws_protocols protocols[] = {
	{ "echo", callback_echo, sizeof(struct pss), 0, 0, NULL, 0 },
	{ "lws-minimal-server-echo", callback_echo, sizeof(struct pss), 0, 0, NULL, 0 },
	{ "bench", callback_echo, sizeof(struct pss), 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct lws_extension extensions[] = {
	{ "permessage-deflate", lws_extension_callback_pm_deflate,
	  "permessage-deflate; client_no_context_takeover; client_max_window_bits" },
	{ NULL, NULL, NULL }
};

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

int main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct lws_context *context;
	struct lws_vhost *vh;
	int port = 0, deflate = 0, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--deflate"))
			deflate = 1;
		else {
			fprintf(stderr, "usage: %s [--port P] [--deflate]\n", argv[0]);
			return 2;
		}
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR, NULL);

	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = "127.0.0.1";
	deflate_on = deflate;
	if (deflate)
		for (i = 0; protocols[i].name; i++)
			protocols[i].rx_buffer_size = PMD_RX_BYTES;
	info.protocols = protocols;
	info.extensions = deflate ? extensions : NULL;
	info.gid = -1;
	info.uid = -1;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;

	context = lws_create_context(&info);
	if (!context) {
		fprintf(stderr, "lws-echo: lws_create_context failed\n");
		return 1;
	}
	vh = lws_get_vhost_by_name(context, "default");
	printf("LISTENING ws://127.0.0.1:%d/\n", vh ? lws_get_vhost_listen_port(vh) : port);
	fflush(stdout);

	while (!interrupted)
		if (lws_service(context, 0) < 0)
			break;

	lws_context_destroy(context);
	return 0;
}
