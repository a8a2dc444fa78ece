#ifndef TURNOUT_FDIO_H
#define TURNOUT_FDIO_H

#include <stddef.h>

/*
 * Whole buffers on a pipe or a socket, across EINTR and short counts.
 * Both return 0, or -1: an error (EPIPE when the reader has gone: the
 * programs ignore SIGPIPE, or a socket's SO_SNDTIMEO/SO_RCVTIMEO ran
 * out), or for a read the end of the stream before n bytes.
 */
int fd_write_all(int fd, const char *p, size_t n);
int fd_read_all(int fd, char *p, size_t n);

#endif
