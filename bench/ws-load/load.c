/*
 * ws-load: a lean WebSocket echo load client for bench/ws-echo.ts.
 *
 *   gcc -O2 -o ws-load load.c -lz -lcrypto      (or: make -C bench/ws-load)
 *
 *   ws-load --port P [--host 127.0.0.1] [--path /] [--conns N] [--window W]
 *           [--size BYTES] [--seconds S] [--deflate] [--text]
 *           [--subprotocol NAME] [--pending K]
 *   ws-load --port P --idle N [--hold S]
 *
 * Load mode opens N connections (at most K handshakes at a time), then keeps
 * W messages in flight on each for S seconds: every echo that comes back
 * sends the next message. The one frame it sends is built and masked once up
 * front (one fixed mask for every connection; W+1 copies back to back, so
 * the bytes owed to a socket are always one contiguous write) and re-sent.
 * Replies are not copied or unmasked: a small per-connection state machine
 * reads frame headers, skips payloads and counts complete messages (FIN),
 * checks the opcode and, for uncompressed replies, the length; a compressed
 * reply (RSV1) is counted, not inflated.
 *
 * --deflate offers "permessage-deflate; client_no_context_takeover" and
 * requires the server to accept it; since the client then keeps no context,
 * the payload is compressed once (raw deflate, sync flush, the 00 00 ff ff
 * tail stripped) and every message is the same RSV1 frame.
 *
 * The handshake checks the 101 status and Sec-WebSocket-Accept (SHA-1 and
 * base64 from OpenSSL's libcrypto, a random key per connection).
 *
 * The payload is ASCII JSON-like records ({"seq":..,"temp":..,"id":..})
 * from a fixed-seed generator, cut to --size: the same bytes in every run,
 * compressible about 6:1 at 16 KiB, valid UTF-8 (so --text works too).
 *
 * Output (stdout, one line each):
 *   START conns=N                 the load begins (all handshakes done)
 *   END                           the S seconds are over
 *   RESULT {json}                 messages (echoes received between START
 *                                 and END), seconds, cpu/user/sys (this
 *                                 process, getrusage, over the same span),
 *                                 errors, conns, frameBytes, compressedReplies
 * After END it stops sending, waits (at most 2 s) for the echoes in flight,
 * sends each connection a close frame and waits (at most 1 s) for the
 * server's close before exiting, so servers see orderly closes.
 *
 * Idle mode opens N connections, prints "IDLE-READY <open> errors=<e>" and
 * holds them, reading and ignoring anything that arrives, until SIGTERM,
 * SIGINT, stdin closing or --hold seconds (default 120) pass; then prints
 * "IDLE-DONE open=<still open> dropped=<closed by the server>".
 *
 * Exit status: 0, or 1 when a connection failed or an echo was wrong.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define HS_MAX 4096
#define READ_BUF (256 * 1024)

enum { S_NONE, S_CONNECTING, S_HANDSHAKE, S_OPEN, S_CLOSING, S_DONE };

struct conn {
	int fd;
	int state;
	int out_armed;          /* EPOLLOUT is in the interest set */
	/* handshake */
	char *hs;               /* request while sending, then the response */
	int hs_len, hs_off;
	char key[32];
	/* rx frame parser */
	unsigned char hdr[14];
	int hdr_len;
	uint64_t remain;        /* payload bytes left in the current frame */
	int fin, opcode, rsv1;
	int msg_opcode, msg_rsv1;
	uint64_t msg_len;
	/* tx */
	uint64_t owed;          /* bytes owed to the socket */
	uint64_t sent;          /* bytes written so far (position in the frame cycle) */
	uint32_t inflight;
	int got_close;
};

/* options */
static const char *host = "127.0.0.1", *path = "/", *subprotocol;
static int port, nconns = 1, window = 1, deflate_on, text, idle, pending_max = 128;
static size_t size = 16;
static double seconds = 3, hold = 120;

/* the frame */
static unsigned char *frames; /* window+1 copies */
static size_t frame_len, frames_len;
static int expect_opcode;

/* run state */
static struct conn *conns;
static int epfd;
static int running;          /* sending new messages */
static int counting;         /* counting echoes */
static uint64_t messages, compressed_replies, errors, dropped;
static int open_count, started, failed;
static volatile sig_atomic_t stop_flag;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_of(struct rusage *ru, int sys)
{
	struct timeval *tv = sys ? &ru->ru_stime : &ru->ru_utime;

	return tv->tv_sec + tv->tv_usec / 1e6;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void error_at(struct conn *c, const char *what)
{
	errors++;
	if (errors <= 5)
		fprintf(stderr, "ws-load: conn %ld: %s\n", c ? (long)(c - conns) : -1L, what);
}

/* ---- payload and frame ------------------------------------------------ */

static unsigned char *make_payload(size_t n)
{
	unsigned char *p = malloc(n + 128);
	uint32_t x = 12345;
	size_t off = 0;
	unsigned seq = 0;

	while (off < n) {
		char rec[128];
		int len;

		x = x * 1103515245u + 12345u;
		len = snprintf(rec, sizeof(rec), "{\"seq\":%u,\"temp\":%u.%u,\"id\":\"sensor-%u\"}",
			       seq++, (x >> 16) % 40, (x >> 8) % 10, (x >> 4) % 64);
		memcpy(p + off, rec, (size_t)len);
		off += (size_t)len;
	}
	return p;
}

/* raw deflate, sync flush, the 00 00 ff ff tail stripped (RFC 7692 7.2.1) */
static unsigned char *compress_payload(const unsigned char *in, size_t n, size_t *out_len)
{
	z_stream z;
	size_t cap = n + n / 2 + 64;
	unsigned char *out = malloc(cap);

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_SYNC_FLUSH) != Z_OK || z.avail_in) {
		deflateEnd(&z);
		return NULL;
	}
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	if (*out_len < 4 || memcmp(out + *out_len - 4, "\0\0\xff\xff", 4))
		return NULL;
	*out_len -= 4;
	return out;
}

static void build_frames(void)
{
	static const unsigned char mask[4] = { 0x3a, 0x91, 0x5c, 0xe7 };
	unsigned char *payload = make_payload(size), *body = payload, *f;
	size_t body_len = size, h = 2, i;

	expect_opcode = text ? 1 : 2;
	if (deflate_on) {
		body = compress_payload(payload, size, &body_len);
		if (!body) {
			fprintf(stderr, "ws-load: deflate failed\n");
			exit(2);
		}
	}
	if (body_len >= 65536)
		h += 8;
	else if (body_len >= 126)
		h += 2;
	frame_len = h + 4 + body_len;
	f = malloc(frame_len);
	f[0] = (unsigned char)(0x80 | (deflate_on ? 0x40 : 0) | expect_opcode);
	if (body_len >= 65536) {
		f[1] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			f[2 + i] = (unsigned char)((uint64_t)body_len >> (56 - 8 * i));
	} else if (body_len >= 126) {
		f[1] = 0x80 | 126;
		f[2] = (unsigned char)(body_len >> 8);
		f[3] = (unsigned char)body_len;
	} else
		f[1] = (unsigned char)(0x80 | body_len);
	memcpy(f + h, mask, 4);
	for (i = 0; i < body_len; i++)
		f[h + 4 + i] = body[i] ^ mask[i & 3];

	frames_len = frame_len * (size_t)(window + 1);
	frames = malloc(frames_len);
	for (i = 0; i < (size_t)(window + 1); i++)
		memcpy(frames + i * frame_len, f, frame_len);
	free(f);
	if (body != payload)
		free(body);
	free(payload);
}

/* ---- handshake -------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void accept_for(const char *key, char out[32])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char buf[96];

	snprintf(buf, sizeof(buf), "%s%s", key, WS_GUID);
	EVP_Digest(buf, strlen(buf), digest, &dlen, EVP_sha1(), NULL);
	EVP_EncodeBlock((unsigned char *)out, digest, (int)dlen);
}

static void set_events(struct conn *c, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e);
}

static void conn_close(struct conn *c)
{
	if (c->state == S_NONE || c->state == S_DONE)
		return;
	if (c->state == S_OPEN || c->state == S_CLOSING)
		open_count--;
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->hs);
	c->hs = NULL;
	c->state = S_DONE;
}

static void conn_fail(struct conn *c, const char *what)
{
	if (c->state == S_CONNECTING || c->state == S_HANDSHAKE)
		failed++;
	error_at(c, what);
	conn_close(c);
}

static void conn_start(struct conn *c)
{
	struct sockaddr_in sa;
	struct epoll_event e;
	unsigned char raw[16];
	int one = 1, i, n;

	memset(c, 0, sizeof(*c));
	c->state = S_CONNECTING;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		c->state = S_DONE;
		failed++;
		error_at(c, strerror(errno));
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &sa.sin_addr);

	for (i = 0; i < 16; i += 8) {
		uint64_t r = rng();
		memcpy(raw + i, &r, 8);
	}
	EVP_EncodeBlock((unsigned char *)c->key, raw, 16);

	c->hs = malloc(HS_MAX);
	n = snprintf(c->hs, HS_MAX,
		     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s%s%s%s\r\n",
		     path, host, port, c->key,
		     subprotocol ? "Sec-WebSocket-Protocol: " : "", subprotocol ? subprotocol : "",
		     subprotocol ? "\r\n" : "",
		     deflate_on ? "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n" : "");
	c->hs_len = n;
	c->hs_off = 0;

	e.events = EPOLLOUT;
	e.data.ptr = c;
	epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &e);
	c->out_armed = 1;
	started++;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
		conn_fail(c, strerror(errno));
}

static void on_frame_bytes(struct conn *c, const unsigned char *p, size_t n);

/* the response so far is in c->hs[0..hs_len) */
static void handshake_check(struct conn *c)
{
	char *end = memmem(c->hs, (size_t)c->hs_len, "\r\n\r\n", 4), *v, expect[32];
	size_t head, extra;

	if (!end) {
		if (c->hs_len >= HS_MAX - 1)
			conn_fail(c, "handshake response too long");
		return;
	}
	head = (size_t)(end - c->hs) + 4;
	extra = (size_t)c->hs_len - head;
	*end = 0;
	if (strncmp(c->hs, "HTTP/1.1 101", 12)) {
		char msg[80];

		snprintf(msg, sizeof(msg), "handshake refused: %.60s", c->hs);
		conn_fail(c, msg);
		return;
	}
	accept_for(c->key, expect);
	v = strcasestr(c->hs, "\r\nsec-websocket-accept:");
	if (!v) {
		conn_fail(c, "no Sec-WebSocket-Accept");
		return;
	}
	v += strlen("\r\nsec-websocket-accept:");
	while (*v == ' ' || *v == '\t')
		v++;
	if (strncmp(v, expect, 28)) {
		conn_fail(c, "wrong Sec-WebSocket-Accept");
		return;
	}
	if (deflate_on) {
		char *x = strcasestr(c->hs, "\r\nsec-websocket-extensions:");

		if (!x || !strcasestr(x, "permessage-deflate")) {
			conn_fail(c, "permessage-deflate declined");
			return;
		}
	}
	c->state = S_OPEN;
	open_count++;
	set_events(c, EPOLLIN);
	c->out_armed = 0;
	if (extra) {
		unsigned char tmp[HS_MAX];

		memcpy(tmp, c->hs + head, extra);
		free(c->hs);
		c->hs = NULL;
		on_frame_bytes(c, tmp, extra);
	} else {
		free(c->hs);
		c->hs = NULL;
	}
}

static void handshake_io(struct conn *c, uint32_t ev)
{
	if (c->state == S_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err) {
			conn_fail(c, strerror(err));
			return;
		}
		while (c->hs_off < c->hs_len) {
			ssize_t w = write(c->fd, c->hs + c->hs_off, (size_t)(c->hs_len - c->hs_off));

			if (w < 0) {
				if (errno == EAGAIN)
					return;
				conn_fail(c, strerror(errno));
				return;
			}
			c->hs_off += (int)w;
		}
		c->state = S_HANDSHAKE;
		c->hs_len = 0;
		set_events(c, EPOLLIN);
		c->out_armed = 0;
		return;
	}
	/* S_HANDSHAKE: read the response */
	for (;;) {
		ssize_t r = read(c->fd, c->hs + c->hs_len, (size_t)(HS_MAX - 1 - c->hs_len));

		if (r < 0) {
			if (errno == EAGAIN)
				return;
			conn_fail(c, strerror(errno));
			return;
		}
		if (r == 0) {
			conn_fail(c, "closed during the handshake");
			return;
		}
		c->hs_len += (int)r;
		c->hs[c->hs_len] = 0;
		handshake_check(c);
		if (c->state != S_HANDSHAKE)
			return;
	}
}

/* ---- tx ---------------------------------------------------------------- */

static void try_write(struct conn *c)
{
	while (c->owed) {
		size_t pos = (size_t)(c->sent % frame_len);
		size_t n = frames_len - pos;
		ssize_t w;

		if (n > c->owed)
			n = (size_t)c->owed;
		w = write(c->fd, frames + pos, n);
		if (w < 0) {
			if (errno == EAGAIN)
				break;
			error_at(c, strerror(errno));
			conn_close(c);
			return;
		}
		c->sent += (uint64_t)w;
		c->owed -= (uint64_t)w;
	}
	if (c->owed && !c->out_armed) {
		set_events(c, EPOLLIN | EPOLLOUT);
		c->out_armed = 1;
	} else if (!c->owed && c->out_armed) {
		set_events(c, EPOLLIN);
		c->out_armed = 0;
	}
}

static void send_message(struct conn *c)
{
	c->owed += frame_len;
	c->inflight++;
}

/* ---- rx ---------------------------------------------------------------- */

static void on_message(struct conn *c)
{
	if (c->msg_opcode != expect_opcode) {
		error_at(c, "echo has another opcode");
	} else if (!c->msg_rsv1 && c->msg_len != size) {
		error_at(c, "echo has another length");
	}
	if (c->msg_rsv1)
		compressed_replies++;
	if (counting)
		messages++;
	if (c->inflight)
		c->inflight--;
	if (running)
		send_message(c);
}

static void on_frame_end(struct conn *c)
{
	if (c->opcode >= 8) {
		if (c->opcode == 8) /* close */
			c->got_close = 1;
		return;
	}
	if (c->fin)
		on_message(c);
}

static void on_frame_bytes(struct conn *c, const unsigned char *p, size_t n)
{
	while (n) {
		if (c->remain) {
			size_t take = c->remain < n ? (size_t)c->remain : n;

			c->remain -= take;
			if (c->opcode < 8)
				c->msg_len += take;
			p += take;
			n -= take;
			if (!c->remain)
				on_frame_end(c);
			continue;
		}
		/* header bytes */
		{
			int need, len7;
			uint64_t plen;

			while (c->hdr_len < 2 && n) {
				c->hdr[c->hdr_len++] = *p++;
				n--;
			}
			if (c->hdr_len < 2)
				return;
			if (c->hdr[1] & 0x80) {
				error_at(c, "masked frame from the server");
				conn_close(c);
				return;
			}
			len7 = c->hdr[1] & 0x7f;
			need = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
			while (c->hdr_len < need && n) {
				c->hdr[c->hdr_len++] = *p++;
				n--;
			}
			if (c->hdr_len < need)
				return;
			if (len7 == 126)
				plen = ((uint64_t)c->hdr[2] << 8) | c->hdr[3];
			else if (len7 == 127) {
				int i;

				plen = 0;
				for (i = 0; i < 8; i++)
					plen = (plen << 8) | c->hdr[2 + i];
			} else
				plen = (uint64_t)len7;
			c->hdr_len = 0;
			c->fin = c->hdr[0] >> 7;
			c->rsv1 = (c->hdr[0] >> 6) & 1;
			c->opcode = c->hdr[0] & 0x0f;
			if (c->opcode == 1 || c->opcode == 2) {
				c->msg_opcode = c->opcode;
				c->msg_rsv1 = c->rsv1;
				c->msg_len = 0;
			} else if (c->opcode != 0 && c->opcode < 8) {
				error_at(c, "unknown opcode");
				conn_close(c);
				return;
			}
			c->remain = plen;
			if (!plen)
				on_frame_end(c);
		}
	}
}

static unsigned char rbuf[READ_BUF];

static void conn_read(struct conn *c)
{
	int loops;

	for (loops = 0; loops < 8; loops++) {
		ssize_t r = read(c->fd, rbuf, sizeof(rbuf));

		if (r < 0) {
			if (errno == EAGAIN)
				return;
			if (c->state == S_OPEN) {
				dropped++;
				error_at(c, strerror(errno));
			}
			conn_close(c);
			return;
		}
		if (r == 0) {
			if (c->state == S_OPEN) {
				dropped++;
				error_at(c, "closed by the server");
			}
			conn_close(c);
			return;
		}
		on_frame_bytes(c, rbuf, (size_t)r);
		if (c->state == S_DONE)
			return;
		if (c->got_close && c->state == S_OPEN) {
			dropped++;
			error_at(c, "close frame from the server");
			conn_close(c);
			return;
		}
		if ((size_t)r < sizeof(rbuf))
			return;
	}
}

/* ---- loops ------------------------------------------------------------- */

static void dispatch(struct epoll_event *e)
{
	struct conn *c = e->data.ptr;

	if (!c) { /* stdin */
		char b[256];

		if (read(0, b, sizeof(b)) <= 0)
			stop_flag = 1;
		return;
	}
	if (c->state == S_CONNECTING || c->state == S_HANDSHAKE) {
		handshake_io(c, e->events);
		return;
	}
	if (c->state == S_DONE)
		return;
	if (e->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(c);
	if (c->state != S_DONE && (e->events & EPOLLOUT))
		try_write(c);
}

/* open every connection, at most pending_max handshakes at a time */
static int connect_all(double limit_s)
{
	struct epoll_event ev[256];
	double deadline = now() + limit_s;
	int next = 0;

	while (open_count + failed < nconns) {
		int n, i;

		while (next < nconns && started - open_count - failed < pending_max)
			conn_start(&conns[next++]);
		if (now() > deadline || stop_flag)
			break;
		n = epoll_wait(epfd, ev, 256, 100);
		for (i = 0; i < n; i++) {
			if (!ev[i].data.ptr)
				continue;
			dispatch(&ev[i]);
		}
	}
	if (open_count + failed < nconns) {
		int i;

		fprintf(stderr, "ws-load: %d of %d connections did not open in %.0f s\n",
			nconns - open_count - failed, nconns, limit_s);
		for (i = 0; i < next; i++)
			if (conns[i].state == S_CONNECTING || conns[i].state == S_HANDSHAKE)
				conn_fail(&conns[i], "handshake timeout");
	}
	return open_count;
}

static void close_all_politely(double limit_s)
{
	/* a masked close frame, code 1000 */
	static const unsigned char close_frame[] = { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8 };
	struct epoll_event ev[256];
	double deadline = now() + limit_s;
	int i;

	for (i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->state != S_OPEN)
			continue;
		/* a frame still partly unwritten: a close frame now would land inside it */
		if (c->sent % frame_len) {
			conn_close(c);
			continue;
		}
		if (write(c->fd, close_frame, sizeof(close_frame)) != (ssize_t)sizeof(close_frame)) {
			conn_close(c);
			continue;
		}
		c->state = S_CLOSING;
		set_events(c, EPOLLIN);
	}
	while (open_count > 0 && now() < deadline) {
		int n = epoll_wait(epfd, ev, 256, 50);

		for (i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr;

			if (!c || c->state != S_CLOSING)
				continue;
			conn_read(c);
			if (c->state == S_CLOSING && c->got_close)
				conn_close(c);
		}
	}
	for (i = 0; i < nconns; i++)
		conn_close(&conns[i]);
}

static int run_load(void)
{
	struct epoll_event ev[256];
	struct rusage r0, r1;
	double t0, t1, deadline, drain_end;
	int i;

	if (connect_all(30) < nconns) {
		fprintf(stderr, "ws-load: only %d of %d connections opened\n", open_count, nconns);
		printf("RESULT {\"messages\":0,\"seconds\":0,\"cpu\":0,\"user\":0,\"sys\":0,\"errors\":%llu,\"conns\":%d}\n",
		       (unsigned long long)(errors ? errors : 1), open_count);
		return 1;
	}
	printf("START conns=%d\n", nconns);
	fflush(stdout);
	getrusage(RUSAGE_SELF, &r0);
	t0 = now();
	deadline = t0 + seconds;
	running = counting = 1;
	for (i = 0; i < nconns; i++) {
		int k;

		for (k = 0; k < window; k++)
			send_message(&conns[i]);
		try_write(&conns[i]);
	}
	for (;;) {
		double t = now();
		int n, timeout_ms;

		if (t >= deadline || stop_flag || open_count == 0)
			break;
		timeout_ms = (int)((deadline - t) * 1000) + 1;
		n = epoll_wait(epfd, ev, 256, timeout_ms);
		for (i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr;

			if (!c)
				continue;
			if (c->state != S_OPEN)
				continue;
			if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				conn_read(c);
			if (c->state == S_OPEN)
				try_write(c);
		}
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &r1);
	running = counting = 0;
	printf("END\n");
	fflush(stdout);

	/* let the echoes in flight come back, then close */
	drain_end = now() + 2;
	for (;;) {
		uint64_t inflight = 0;
		int n;

		for (i = 0; i < nconns; i++)
			if (conns[i].state == S_OPEN)
				inflight += conns[i].inflight;
		if (!inflight || now() > drain_end)
			break;
		n = epoll_wait(epfd, ev, 256, 50);
		for (i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr;

			if (!c || c->state != S_OPEN)
				continue;
			if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				conn_read(c);
			if (c->state == S_OPEN)
				try_write(c);
		}
	}
	close_all_politely(1);

	printf("RESULT {\"messages\":%llu,\"seconds\":%.6f,\"cpu\":%.6f,\"user\":%.6f,\"sys\":%.6f,"
	       "\"errors\":%llu,\"conns\":%d,\"window\":%d,\"size\":%zu,\"frameBytes\":%zu,"
	       "\"compressedReplies\":%llu}\n",
	       (unsigned long long)messages, t1 - t0,
	       cpu_of(&r1, 0) + cpu_of(&r1, 1) - cpu_of(&r0, 0) - cpu_of(&r0, 1),
	       cpu_of(&r1, 0) - cpu_of(&r0, 0), cpu_of(&r1, 1) - cpu_of(&r0, 1),
	       (unsigned long long)errors, nconns, window, size, frame_len,
	       (unsigned long long)compressed_replies);
	fflush(stdout);
	return errors ? 1 : 0;
}

static int run_idle(void)
{
	struct epoll_event ev[256], in = { .events = EPOLLIN, .data.ptr = NULL };
	double deadline;
	int opened = connect_all(60), i;

	printf("IDLE-READY %d errors=%llu\n", opened, (unsigned long long)errors);
	fflush(stdout);
	epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &in);
	deadline = now() + hold;
	while (!stop_flag && now() < deadline) {
		int n = epoll_wait(epfd, ev, 256, 200);

		for (i = 0; i < n; i++)
			dispatch(&ev[i]);
	}
	printf("IDLE-DONE open=%d dropped=%llu\n", open_count, (unsigned long long)dropped);
	fflush(stdout);
	for (i = 0; i < nconns; i++)
		conn_close(&conns[i]);
	return opened == nconns && !dropped ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ws-load --port P [--host H] [--path /] [--conns N] [--window W] [--size B]\n"
		"               [--seconds S] [--deflate] [--text] [--subprotocol NAME] [--pending K]\n"
		"       ws-load --port P --idle N [--hold S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--deflate"))
			deflate_on = 1;
		else if (!strcmp(a, "--text"))
			text = 1;
		else if (!v)
			usage();
		else {
			i++;
			if (!strcmp(a, "--host"))
				host = v;
			else if (!strcmp(a, "--port"))
				port = atoi(v);
			else if (!strcmp(a, "--path"))
				path = v;
			else if (!strcmp(a, "--conns"))
				nconns = atoi(v);
			else if (!strcmp(a, "--window"))
				window = atoi(v);
			else if (!strcmp(a, "--size"))
				size = (size_t)strtoull(v, NULL, 10);
			else if (!strcmp(a, "--seconds"))
				seconds = atof(v);
			else if (!strcmp(a, "--subprotocol"))
				subprotocol = v;
			else if (!strcmp(a, "--pending"))
				pending_max = atoi(v);
			else if (!strcmp(a, "--idle"))
				idle = atoi(v);
			else if (!strcmp(a, "--hold"))
				hold = atof(v);
			else
				usage();
		}
	}
	if (!port || nconns < 1 || window < 1 || size < 1 || size > (64u << 20) || seconds <= 0 ||
	    seconds > 600 || hold <= 0 || hold > 3600 || pending_max < 1)
		usage();
	if (idle)
		nconns = idle;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)nconns + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)nconns + 64)
			fprintf(stderr, "ws-load: open files limit %llu is below %d connections\n",
				(unsigned long long)rl.rlim_cur, nconns);
	}
	rng_state ^= (uint64_t)getpid() << 32 ^ (uint64_t)(now() * 1e6);
	build_frames();
	conns = calloc((size_t)nconns, sizeof(*conns));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return idle ? run_idle() : run_load();
}
