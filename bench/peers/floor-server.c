/*
 * The floor of bench/h1.ts: an epoll server that parses no HTTP. It finds
 * the end of each request head (CRLFCRLF), takes the target between the
 * first two spaces of the head, and writes one prebuilt response: 200 with
 * a file's bytes for a known target, 404 otherwise. Whatever it costs per
 * request is about the kernel's part (read, write, epoll_wait, waking the
 * client), which every server pays. Not a contender and not a real server:
 * it shows how far above node:http any server could get on the machine
 * (bench/README.md, h1).
 *
 *   floor-server PORT [TARGET=FILE ...]     (PORT 0: any free port)
 *     with no TARGET=FILE: /hello answers "hello world\n"
 *     prints "LISTENING http://127.0.0.1:PORT/" once it accepts
 *
 *   gcc -O2 -Wall -o /tmp/floor-server bench/peers/floor-server.c
 *   taskset -c 0 /tmp/floor-server 9100 /hello=/tmp/hello.txt &
 *   taskset -c 1 wrk -t1 -c100 -d5s http://127.0.0.1:9100/hello
 *   (server CPU from /proc/PID/stat fields 14 and 15, as h1.ts does)
 *
 * Request heads are assumed not to be split across reads (true of wrk's
 * small GETs). A response that does not go out at once is finished with
 * poll(); bodies are at most 64 KiB.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_ROUTES 8
#define MAX_BODY 65536

struct route {
  const char *target;
  size_t target_len;
  char *resp;
  size_t resp_len;
};

static struct route routes[MAX_ROUTES];
static int nroutes;
static const char NOT_FOUND[] =
  "HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\nnot found\n";

static const char *mime(const char *target) {
  const char *dot = strrchr(target, '.');
  if (dot && !strcmp(dot, ".jpg")) return "image/jpeg";
  if (dot && !strcmp(dot, ".html")) return "text/html";
  return "text/plain";
}

static void add_route(const char *target, const char *body, size_t body_len) {
  if (nroutes == MAX_ROUTES) {
    fprintf(stderr, "at most %d routes\n", MAX_ROUTES);
    exit(2);
  }
  struct route *r = &routes[nroutes++];
  r->target = target;
  r->target_len = strlen(target);
  char head[256];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 200 OK\r\ncontent-type: %s\r\ncontent-length: %zu\r\n"
                   "date: Wed, 25 Nov 2026 18:00:00 GMT\r\n\r\n",
                   mime(target), body_len);
  r->resp = malloc((size_t)n + body_len);
  if (!r->resp) exit(1);
  memcpy(r->resp, head, (size_t)n);
  memcpy(r->resp + n, body, body_len);
  r->resp_len = (size_t)n + body_len;
}

static void add_file_route(char *arg) {
  char *eq = strchr(arg, '=');
  if (!eq || arg[0] != '/') {
    fprintf(stderr, "want TARGET=FILE, got %s\n", arg);
    exit(2);
  }
  *eq = '\0';
  FILE *f = fopen(eq + 1, "rb");
  if (!f) {
    perror(eq + 1);
    exit(2);
  }
  static char body[MAX_BODY + 1];
  size_t len = fread(body, 1, sizeof body, f);
  fclose(f);
  if (len > MAX_BODY) {
    fprintf(stderr, "%s: more than %d bytes\n", eq + 1, MAX_BODY);
    exit(2);
  }
  add_route(arg, body, len);
}

/* the whole response, finishing with poll() if the socket is full */
static int send_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w > 0) {
      p += w;
      len -= (size_t)w;
      continue;
    }
    if (w < 0 && errno == EAGAIN) {
      struct pollfd pf = { .fd = fd, .events = POLLOUT };
      if (poll(&pf, 1, 5000) <= 0) return -1;
      continue;
    }
    return -1;
  }
  return 0;
}

static void answer(int fd, const char *head, size_t head_len) {
  const char *sp = memchr(head, ' ', head_len);
  const char *target = sp ? sp + 1 : head + head_len;
  const char *end = memchr(target, ' ', (size_t)(head + head_len - target));
  size_t tlen = end ? (size_t)(end - target) : 0;
  for (int i = 0; i < nroutes; i++) {
    if (routes[i].target_len == tlen && !memcmp(routes[i].target, target, tlen)) {
      send_all(fd, routes[i].resp, routes[i].resp_len);
      return;
    }
  }
  send_all(fd, NOT_FOUND, sizeof NOT_FOUND - 1);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PORT [TARGET=FILE ...]\n", argv[0]);
    return 2;
  }
  for (int i = 2; i < argc; i++) add_file_route(argv[i]);
  if (nroutes == 0) add_route("/hello", "hello world\n", 12);
  int one = 1;
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t alen = sizeof a;
  if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 511) || getsockname(ls, (struct sockaddr *)&a, &alen)) {
    perror("listen");
    return 1;
  }
  printf("LISTENING http://127.0.0.1:%d/\n", ntohs(a.sin_port));
  fflush(stdout);
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls };
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  static char buf[65536];
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event e = { .events = EPOLLIN, .data.fd = c };
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        }
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        close(fd);
        continue;
      }
      /* one answer per CRLFCRLF */
      ssize_t start = 0;
      for (ssize_t j = 3; j < r; j++) {
        if (buf[j] == '\n' && buf[j - 1] == '\r' && buf[j - 2] == '\n' && buf[j - 3] == '\r') {
          answer(fd, buf + start, (size_t)(j + 1 - start));
          start = j + 1;
        }
      }
    }
  }
}
