/*
 * hello.fcgi: the FastCGI baseline for bench/run. It does what
 * turnout.fcgi does around a request (unix socket, the same number of
 * pre-forked workers, one libfcgi accept loop per worker) and nothing
 * else, so the event page's req/s divided by this program's tells how
 * much the app's own work costs.
 *
 *   hello.fcgi -s socket-path [-g group] [-w workers]
 *
 * Without -g the socket gets mode 0666 (a private benchmark socket); with
 * -g it gets 0660 and that group, as turnout.fcgi's socket_group does.
 * Default workers: one per core, as turnout.fcgi without `workers`.
 * SIGTERM or SIGINT stop it: the master shuts the listening socket down,
 * which ends every worker's accept().
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <fcgios.h>

#define WORKERS_MAX 64
#define GRACE_SECONDS 5

static const char answer[] =
	"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhello\n";

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "hello.fcgi: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void worker(int listen_fd)
{
	FCGX_Request fr;

	/* Only the master reacts to signals: a request in flight finishes. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	FCGX_InitRequest(&fr, listen_fd, 0);
	while (FCGX_Accept_r(&fr) >= 0) {
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, fr.out);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
}

/* Wait for the workers, killing any still running after the grace period. */
static void reap(pid_t *pids, int n)
{
	time_t deadline = time(NULL) + GRACE_SECONDS;
	int alive = n, i;
	pid_t pid;

	while (alive > 0) {
		pid = waitpid(-1, NULL, WNOHANG);
		if (pid < 0 && errno == ECHILD)
			break;
		if (pid > 0) {
			alive--;
			continue;
		}
		if (time(NULL) >= deadline) {
			for (i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
			deadline = time(NULL) + GRACE_SECONDS;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: hello.fcgi -s socket-path [-g group] [-w workers]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = NULL, *group = NULL;
	pid_t pids[WORKERS_MAX], master = getpid();
	struct sigaction sa;
	sigset_t block, orig;
	struct group *gr;
	int n = 0, listen_fd, opt, i;

	while ((opt = getopt(argc, argv, "s:g:w:")) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 'g': group = optarg; break;
		case 'w': n = atoi(optarg); break;
		default: usage();
		}
	}
	if (path == NULL || optind != argc || n < 0)
		usage();
	if (n == 0)
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > WORKERS_MAX)
		n = WORKERS_MAX;

	if (FCGX_Init() != 0) {
		fprintf(stderr, "hello.fcgi: FCGX_Init failed\n");
		return 1;
	}
	unlink(path);
	/* The same backlog as turnout.fcgi: 1000 connections queue alike. */
	if ((listen_fd = FCGX_OpenSocket(path, 1024)) < 0)
		die(path);
	/* FCGX_OpenSocket leaves the umask's mode: nginx must be able to connect. */
	if (chmod(path, group != NULL ? 0660 : 0666) != 0)
		die("chmod");
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			fprintf(stderr, "hello.fcgi: no group named %s\n", group);
			return 1;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) != 0)
			die("chgrp");
	}

	/* libfcgi installed its own handlers in FCGX_Init: replace them. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) < 0)
			die("fork");
		if (pids[i] == 0) {
			/* A worker must not outlive a master killed with -9. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != master)
				_exit(1);
			worker(listen_fd);
			close(listen_fd);
			OS_LibShutdown();
			exit(0);
		}
	}
	/*
	 * Signals stay blocked except inside sigsuspend(): one arriving between
	 * the test and the wait cannot be lost. A baseline does not restart
	 * workers; a dead one would be a bug.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	while (!stopping)
		sigsuspend(&orig);
	shutdown(listen_fd, SHUT_RDWR);
	reap(pids, n);
	unlink(path);
	close(listen_fd);
	OS_LibShutdown();
	return 0;
}
