/* kafka_mock_cluster.c -- a Kafka cluster for the tests, from librdkafka's
 * own mock (rdkafka_mock.h, Debian package librdkafka-dev): real Kafka
 * protocol on real sockets, brokers that can be taken down and up, and a
 * consumer that reads the topic back.
 *
 * usage: kafka_mock_cluster BROKERS TOPIC PARTITIONS
 * Prints "bootstrap <host:port,...>" once the cluster listens, then reads
 * commands from stdin, one per line, and answers each with one line:
 *   down            every broker down (connections closed, new ones refused)
 *   up              every broker up again
 *   consume FILE    read the whole topic from the start; write one JSON line
 *                   per record {"partition","offset","key","value"} to FILE
 *                   (key and value as JSON strings); answers "consumed N"
 *   quit            exit 0 (EOF on stdin too)
 * Keys and values are written with JSON escapes for '"', '\\' and control
 * characters; other bytes as they are.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static void json_str(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Reads every partition of topic from the beginning to its end. */
static long consume(const char *bootstraps, const char *topic, int partitions, const char *path)
{
	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_t *c;
	FILE *out;
	long n = 0;
	int i, at_end = 0, idle = 0;

	if ((out = fopen(path, "w")) == NULL)
		return -1;
	rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, err, sizeof(err));
	rd_kafka_conf_set(conf, "group.id", "kafka-mock-cluster-reader", err, sizeof(err));
	rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof(err));
	rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err));
	if ((c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "consumer: %s\n", err);
		fclose(out);
		return -1;
	}
	parts = rd_kafka_topic_partition_list_new(partitions);
	for (i = 0; i < partitions; i++)
		rd_kafka_topic_partition_list_add(parts, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(c, parts);
	rd_kafka_topic_partition_list_destroy(parts);
	/* until every partition reported its end, or 10 s without anything */
	while (at_end < partitions && idle < 100) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);

		if (m == NULL) {
			idle++;
			continue;
		}
		idle = 0;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			at_end++;
		} else if (m->err == 0) {
			fprintf(out, "{\"partition\":%d,\"offset\":%lld,\"key\":", (int)m->partition,
			        (long long)m->offset);
			if (m->key != NULL)
				json_str(out, m->key, m->key_len);
			else
				fputs("null", out);
			fputs(",\"value\":", out);
			json_str(out, m->payload, m->len);
			fputs("}\n", out);
			n++;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	fclose(out);
	return at_end < partitions ? -1 : n;
}

int main(int argc, char **argv)
{
	char err[512], line[4096];
	rd_kafka_conf_t *conf;
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_t *rk;
	const char *bootstraps, *topic;
	int brokers, partitions, b;

	if (argc != 4) {
		fprintf(stderr, "usage: kafka_mock_cluster BROKERS TOPIC PARTITIONS\n");
		return 2;
	}
	brokers = atoi(argv[1]);
	topic = argv[2];
	partitions = atoi(argv[3]);
	signal(SIGPIPE, SIG_IGN);
	/* the mock cluster lives inside a client handle; this one never sends */
	conf = rd_kafka_conf_new();
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((mc = rd_kafka_mock_cluster_new(rk, brokers)) == NULL) {
		fprintf(stderr, "cannot create the mock cluster\n");
		return 1;
	}
	if (rd_kafka_mock_topic_create(mc, topic, partitions, brokers < 3 ? brokers : 3) != 0) {
		fprintf(stderr, "cannot create topic %s\n", topic);
		return 1;
	}
	bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
	printf("bootstrap %s\n", bootstraps);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, "down") == 0 || strcmp(line, "up") == 0) {
			for (b = 1; b <= brokers; b++) {
				if (line[0] == 'd')
					rd_kafka_mock_broker_set_down(mc, b);
				else
					rd_kafka_mock_broker_set_up(mc, b);
			}
			printf("%s\n", line);
		} else if (strncmp(line, "consume ", 8) == 0) {
			printf("consumed %ld\n", consume(bootstraps, topic, partitions, line + 8));
		} else if (strcmp(line, "quit") == 0) {
			break;
		} else {
			printf("unknown command\n");
		}
		fflush(stdout);
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
