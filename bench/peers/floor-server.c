/*
 * The floor for bench/h1.ts's /hello case: an epoll server that answers
 * every complete request head it reads with one fixed 12-byte response and
 * parses nothing else. Whatever it costs per request is the kernel's part
 * (read, write, epoll_wait, waking the client), which every server pays.
 * Not a contender and not a real server; see bench/README.md (h1).
 *
 *   gcc -O2 -o /tmp/floor-server bench/peers/floor-server.c
 *   taskset -c 0 /tmp/floor-server 9100 &
 *   taskset -c 1 wrk -t1 -c100 -d5s http://127.0.0.1:9100/hello
 *   (server CPU from /proc/PID/stat fields 14 and 15, as h1.ts does)
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char RESPONSE[] =
  "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 12\r\n"
  "date: Wed, 25 Nov 2026 18:00:00 GMT\r\n\r\nhello world\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  int one = 1;
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 511)) {
    perror("listen");
    return 1;
  }
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
        close(fd);
        continue;
      }
      /* one answer per CRLFCRLF (heads are not split across reads in this load) */
      for (ssize_t j = 3; j < r; j++) {
        if (buf[j] == '\n' && buf[j - 1] == '\r' && buf[j - 2] == '\n' && buf[j - 3] == '\r') {
          if (write(fd, RESPONSE, sizeof RESPONSE - 1) < 0) break;
        }
      }
    }
  }
}
