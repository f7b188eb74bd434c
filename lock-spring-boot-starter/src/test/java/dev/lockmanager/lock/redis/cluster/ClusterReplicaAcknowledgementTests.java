package dev.lockmanager.lock.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Replica acknowledgement (Redis {@code WAIT}) on a Cluster: it is asked of the master that holds the lease.
 */
class ClusterReplicaAcknowledgementTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	@Test
	void everyMasterWaitsForItsOwnReplica() throws Exception {
		RedisCluster cluster = redis.cluster();
		Map<RedisServer, List<String>> byMaster = ClusterConnections.keysByMaster(cluster,
				"wait-" + UUID.randomUUID() + "-", 1);
		Iterator<Map.Entry<RedisServer, List<String>>> masters = byMaster.entrySet().iterator();
		Map.Entry<RedisServer, List<String>> lagging = masters.next();
		String healthyKey = masters.next().getValue().get(0);
		RedisServer laggingReplica = cluster.replicaOf(lagging.getKey());
		LettuceConnectionFactory factory = ClusterConnections.connectionFactory(cluster);
		// Patient where a healthy replica must acknowledge, so that a slow machine fails nothing; impatient where
		// none can.
		try (RedisLockManager patient = RedisLockManager.builder(factory)
			.replicaAcknowledgement(1, Duration.ofMillis(1500))
			.build();
				RedisLockManager impatient = RedisLockManager.builder(factory)
					.replicaAcknowledgement(1, Duration.ofMillis(200))
					.build()) {
			for (List<String> keys : byMaster.values()) {
				assertThat(patient.acquire(LockRequest.of("warm-up-" + keys.get(0), Duration.ofSeconds(10))).isHeld())
					.isTrue();
			}
			// Well within the cluster-node-timeout: the paused replica is not failed, just silent.
			laggingReplica.pause();
			try {
				assertThatExceptionOfType(LockBackendUnavailableException.class)
					.isThrownBy(() -> impatient.acquire(LockRequest.of(lagging.getValue().get(0), Duration.ofSeconds(10))))
					.withMessageContaining("only 0 of 1 replicas acknowledged");
				assertThat(patient.acquire(LockRequest.of(healthyKey, Duration.ofSeconds(10))).isHeld()).isTrue();
			}
			finally {
				laggingReplica.resume();
			}
		}
		finally {
			factory.destroy();
		}
	}

}
