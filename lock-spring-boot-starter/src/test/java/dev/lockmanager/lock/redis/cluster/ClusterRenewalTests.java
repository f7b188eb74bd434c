package dev.lockmanager.lock.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Background renewal on a Cluster when one master stalls: leases on the other masters keep being renewed.
 */
class ClusterRenewalTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	/** Shorter than the harness's cluster-node-timeout (2s), so the stalled master is not failed over. */
	private static final Duration STALL = Duration.ofMillis(1500);

	@Test
	void stalledMasterDoesNotHoldBackRenewalOfLeasesOnOtherMasters() throws Exception {
		RedisCluster cluster = redis.cluster();
		Map<RedisServer, List<String>> byMaster = ClusterConnections.keysByMaster(cluster,
				"stall-" + UUID.randomUUID() + "-", 1);
		Iterator<Map.Entry<RedisServer, List<String>>> masters = byMaster.entrySet().iterator();
		Map.Entry<RedisServer, List<String>> stalled = masters.next();
		String healthyKey = masters.next().getValue().get(0);
		Queue<String> lost = new ConcurrentLinkedQueue<>();
		LettuceConnectionFactory factory = ClusterConnections.connectionFactory(cluster);
		try (RedisLockManager manager = RedisLockManager.builder(factory).listener(new LeaseListener() {
			@Override
			public void lost(Lease lease, String reason) {
				lost.add(lease.key() + ": " + reason);
			}
		}).build()) {
			// Renewed every 200ms, while a renewal sent to the stalled master waits up to the 2s command timeout.
			Lease healthy = manager.acquire(LockRequest.of(healthyKey, Duration.ofMillis(600)));
			Lease onStalled = manager.acquire(LockRequest.of(stalled.getValue().get(0), Duration.ofSeconds(3)));
			stalled.getKey().pause();
			try {
				Thread.sleep(STALL.toMillis());
				assertThat(healthy.isHeld()).isTrue();
			}
			finally {
				stalled.getKey().resume();
			}
			assertThat(lost).isEmpty();
			assertThat(onStalled.isHeld()).isTrue();
			healthy.release();
			onStalled.release();
		}
		finally {
			factory.destroy();
		}
	}

}
