/*
 * The machine's process-spawn floor without a JVM or a shell in the way: starts /bin/true N times
 * with posix_spawn, one after another, waiting for each, and prints processes per second.
 * ./lote bench compiles it into its state folder when a C compiler is there.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  char *args[] = {"/bin/true", NULL};
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < n; i++) {
    pid_t pid;
    int status;
    int err = posix_spawn(&pid, args[0], NULL, NULL, args, environ);
    if (err != 0) {
      fprintf(stderr, "posix_spawn: error %d\n", err);
      return 1;
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "/bin/true did not exit with 0\n");
      return 1;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.0f\n", n / ((double) (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9));
  return 0;
}
