/*
 * kafka-mock-cluster: starts librdkafka's mock Kafka cluster (real Kafka wire protocol on
 * 127.0.0.1 TCP ports) for integration tests, and lets the test control it over stdin.
 *
 * Usage:  kafka-mock-cluster [--brokers N] [--topic NAME:PARTITIONS]...
 *
 * Prints exactly one line `BOOTSTRAP host:port,...` once the cluster is listening, then reads
 * one command per line from stdin and answers each with `OK <command>` or `ERR <message>`:
 *   down <id>                 disconnect broker <id> and refuse new connections
 *   up <id>                   accept connections again
 *   rtt <id> <ms>             add <ms> of round-trip delay to broker <id>
 *   topic <name> <partitions> create a topic (replication factor 1)
 * Broker ids start at 1 (-1 means all brokers). Exits on EOF of stdin or SIGTERM/SIGINT.
 *
 * Build: gcc -O1 -o build/kafka-mock-cluster test/support/kafka-mock-cluster.c -lrdkafka
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stopping = 0;

/* No SA_RESTART: the signal interrupts the blocking fgets() so the main loop can exit. */
static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void reply(rd_kafka_resp_err_t err, const char *command) {
  if (err) printf("ERR %s: %s\n", command, rd_kafka_err2str(err));
  else printf("OK %s\n", command);
  fflush(stdout);
}

int main(int argc, char **argv) {
  int brokers = 3;
  char errstr[512];

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* A mock broker that writes to a socket the client just closed (common around `down`/`up`)
   * must get EPIPE, not be killed by SIGPIPE: that would take every broker down with it. */
  signal(SIGPIPE, SIG_IGN);

  /* The handle is only bookkeeping for the mock cluster: with no bootstrap.servers it never
   * connects anywhere; log warnings and errors only (to stderr, which the fixture collects). */
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "config: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }

  /* First pass: broker count (the cluster must exist before topics are created). */
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) brokers = atoi(argv[++i]);
    else if (strcmp(argv[i], "--topic") == 0 && i + 1 < argc) i++;
    else {
      fprintf(stderr, "unknown argument: %s\n", argv[i]);
      return 2;
    }
  }
  if (brokers < 1) {
    fprintf(stderr, "--brokers must be at least 1\n");
    return 2;
  }

  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  /* Second pass: pre-create topics given as NAME:PARTITIONS (the name may contain ':'). */
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--brokers") == 0) { i++; continue; }
    char *spec = argv[++i];
    char *colon = strrchr(spec, ':');
    int partitions = colon ? atoi(colon + 1) : 0;
    if (!colon || colon == spec || partitions < 1) {
      fprintf(stderr, "bad --topic %s (want NAME:PARTITIONS)\n", spec);
      return 2;
    }
    *colon = '\0';
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, spec, partitions, 1);
    if (err) {
      fprintf(stderr, "topic %s: %s\n", spec, rd_kafka_err2str(err));
      return 1;
    }
  }

  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[1024];
  while (!stopping && fgets(line, sizeof(line), stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    char name[512];
    int id, n;
    if (line[0] == '\0') continue;
    if (sscanf(line, "down %d", &id) == 1) reply(rd_kafka_mock_broker_set_down(mc, id), line);
    else if (sscanf(line, "up %d", &id) == 1) reply(rd_kafka_mock_broker_set_up(mc, id), line);
    else if (sscanf(line, "rtt %d %d", &id, &n) == 2) reply(rd_kafka_mock_broker_set_rtt(mc, id, n), line);
    else if (sscanf(line, "topic %511s %d", name, &n) == 2) reply(rd_kafka_mock_topic_create(mc, name, n, 1), line);
    else {
      printf("ERR unknown command: %s\n", line);
      fflush(stdout);
    }
  }

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
