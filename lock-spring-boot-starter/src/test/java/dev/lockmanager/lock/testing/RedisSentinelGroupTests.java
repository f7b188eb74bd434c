package dev.lockmanager.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RedisSentinelGroupTests {

	@Test
	void formsWithOneMasterTwoReplicasAndThreeSentinels() {
		try (RedisSentinelGroup group = new RedisSentinelGroup()) {
			group.start();

			RedisServer master = group.master();
			assertThat((List<?>) master.execute("ROLE")).first().isEqualTo("master");
			assertThat(group.replicas()).hasSize(2)
				.allSatisfy((replica) -> assertThat((String) replica.execute("INFO", "replication"))
					.contains("role:slave", "master_port:" + master.port()));
			assertThat(group.masterName()).isEqualTo("mymaster");
			assertThat(group.sentinelNodes()).hasSize(3)
				.allSatisfy((node) -> assertThat(node).matches("127\\.0\\.0\\.1:\\d+"));
			assertThat(group.sentinels()).allSatisfy((sentinel) -> assertThat(
					sentinel.execute("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"))
				.isEqualTo(List.of("127.0.0.1", String.valueOf(master.port()))));
		}
	}

	@Test
	void failoverPromotesAReplica() {
		try (RedisSentinelGroup group = new RedisSentinelGroup()) {
			group.start();
			List<RedisServer> replicas = group.replicas();

			RedisServer killed = group.killMaster();
			assertThat(killed.isRunning()).isFalse();
			RedisServer promoted = group.awaitFailover(Duration.ofSeconds(20));

			assertThat(promoted).isIn(replicas).isNotSameAs(killed);
			assertThat((String) promoted.execute("INFO", "replication")).contains("role:master");
			assertThat(group.master()).isSameAs(promoted);
			assertThat(group.replicas()).hasSize(1).doesNotContain(promoted, killed);
		}
	}

	@Test
	void closeLeavesNoProcessRunning() {
		List<Long> pids = new ArrayList<>();
		List<RedisServer> servers = new ArrayList<>();
		try (RedisSentinelGroup group = new RedisSentinelGroup()) {
			group.start();
			servers.add(group.master());
			servers.addAll(group.replicas());
			servers.addAll(group.sentinels());
			servers.forEach((server) -> pids.add(server.pid()));
		}
		assertThat(pids).hasSize(6)
			.allSatisfy((pid) -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
		assertThat(servers).allSatisfy((server) -> assertThat(server.isRunning()).isFalse());
	}

	@Test
	void awaitFailoverExplainsWhatTheSentinelsSawWhenItTimesOut() {
		try (RedisSentinelGroup group = new RedisSentinelGroup()) {
			group.start();
			int port = group.master().port();

			// Nothing was killed: the master stays the master
			assertThatThrownBy(() -> group.awaitFailover(Duration.ofMillis(300)))
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("Timed out after PT0.3S")
				.hasMessageContaining("master port " + port);
		}
	}

}
