package dev.lockmanager.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisClusterTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	@Test
	void formsThreeMastersEachWithOneReplica() {
		RedisCluster cluster = redis.cluster();

		assertThat(cluster.nodes()).hasSize(6);
		assertThat(cluster.masters()).hasSize(3);
		assertThat(cluster.replicas()).hasSize(3);
		assertThat(cluster.masters().stream().map(cluster::replicaOf)).doesNotHaveDuplicates()
			.containsExactlyInAnyOrderElementsOf(cluster.replicas());
		assertThat(cluster.nodes()).allSatisfy((node) -> assertThat((String) node.execute("CLUSTER", "INFO"))
			.contains("cluster_state:ok", "cluster_known_nodes:6", "cluster_size:3"));
	}

	@Test
	void mastersCoverEverySlot() {
		assertThat(redis.cluster().nodes()).allSatisfy((node) -> assertThat((String) node.execute("CLUSTER", "INFO"))
			.contains("cluster_slots_assigned:16384", "cluster_slots_ok:16384"));
	}

	@Test
	void seedsAndUrisNameEveryNode() {
		RedisCluster cluster = redis.cluster();

		assertThat(cluster.seeds()).hasSize(6).allMatch((seed) -> seed.matches("127\\.0\\.0\\.1:\\d+"));
		assertThat(cluster.uris()).hasSize(6).allMatch((uri) -> uri.matches("redis://127\\.0\\.0\\.1:\\d+"));
	}

	@Test
	void masterForAcceptsWritesOfTheKeyWhereOtherMastersRedirect() {
		RedisCluster cluster = redis.cluster();
		String key = "harness:" + UUID.randomUUID();
		RedisServer master = cluster.masterFor(key);

		assertThat(master.execute("SET", key, "v")).isEqualTo("OK");
		assertThat(cluster.masters()).filteredOn((other) -> other != master)
			.allSatisfy((other) -> assertThatThrownBy(() -> other.execute("GET", key))
				.hasMessageContaining("MOVED " + cluster.slot(key)));
	}

	@Test
	void slotHonoursTheHashTag() {
		RedisCluster cluster = redis.cluster();

		assertThat(cluster.slot("a{tag}b")).isEqualTo(cluster.slot("tag")).isEqualTo(cluster.slot("{tag}c"));
	}

	@Test
	void failoverSwapsAMasterAndItsReplica() {
		RedisCluster cluster = redis.cluster();
		String key = "harness:" + UUID.randomUUID();
		RedisServer master = cluster.masterFor(key);
		master.execute("SET", key, "kept");
		RedisServer replica = cluster.replicaOf(master);

		cluster.failover(replica);

		assertThat(cluster.masterFor(key)).isSameAs(replica);
		assertThat(cluster.masters()).hasSize(3).contains(replica).doesNotContain(master);
		assertThat(cluster.replicaOf(replica)).isSameAs(master);
		assertThat(replica.execute("GET", key)).isEqualTo("kept");
	}

	@Test
	void migrateSlotMovesTheSlotWithItsKeysAndTheirTtlsToAnotherMaster() {
		RedisCluster cluster = redis.cluster();
		String tag = "{harness:" + UUID.randomUUID() + "}";
		int slot = cluster.slot(tag);
		RedisServer from = cluster.masterFor(tag);
		RedisServer to = cluster.masters().stream().filter((master) -> master != from).findFirst().orElseThrow();
		from.execute("SET", tag + "kept", "v");
		from.execute("SET", tag + "expiring", "v", "PX", "60000");

		cluster.migrateSlot(slot, to);

		assertThat(cluster.masterFor(tag)).isSameAs(to);
		assertThat(to.execute("GET", tag + "kept")).isEqualTo("v");
		assertThat((Long) to.execute("PTTL", tag + "expiring")).isBetween(1L, 60000L);
		assertThat(from.execute("CLUSTER", "COUNTKEYSINSLOT", String.valueOf(slot))).isEqualTo(0L);
		assertThatThrownBy(() -> from.execute("GET", tag + "kept")).hasMessageContaining("MOVED " + slot);
		assertThat(cluster.nodes()).allSatisfy((node) -> assertThat((String) node.execute("CLUSTER", "INFO"))
			.contains("cluster_state:ok", "cluster_slots_assigned:16384"));
	}

	@Test
	void migrateSlotRefusesTheMasterAlreadyServingIt() {
		RedisCluster cluster = redis.cluster();
		String key = "harness:" + UUID.randomUUID();

		assertThatThrownBy(() -> cluster.migrateSlot(cluster.slot(key), cluster.masterFor(key)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("the target must be another master");
	}

	@Test
	void closeStopsEveryNode() {
		List<Long> pids;
		try (RedisCluster cluster = new RedisCluster(1, 1)) {
			cluster.start();
			assertThat(cluster.masters()).hasSize(1);
			assertThat(cluster.replicas()).hasSize(1);
			pids = cluster.nodes().stream().map(RedisServer::pid).toList();
		}
		assertThat(pids).hasSize(2)
			.allSatisfy((pid) -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
	}

}
