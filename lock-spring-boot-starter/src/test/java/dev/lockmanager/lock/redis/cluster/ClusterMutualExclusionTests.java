package dev.lockmanager.lock.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.CounterLoad;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Several application instances times several threads do a non-atomic read-modify-write on counters under their
 * locks, with the locks spread over every master of a Redis Cluster: no update may be lost.
 */
class ClusterMutualExclusionTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private static final int INSTANCES = 3;

	private static final int THREADS_PER_INSTANCE = 3;

	private static final int INCREMENTS_PER_COUNTER = 40;

	@Test
	void readModifyWriteUnderLocksOnEveryMasterLosesNoUpdate() throws Exception {
		Map<RedisServer, List<String>> byMaster = ClusterConnections.keysByMaster(redis.cluster(),
				"counter-" + UUID.randomUUID() + "-", 1);
		List<String> counters = byMaster.values().stream().flatMap(List::stream).toList();
		assertThat(counters.stream().map((key) -> redis.cluster().masterFor(ClusterConnections.leaseKey(key))))
			.hasSize(3)
			.doesNotHaveDuplicates();
		List<LettuceConnectionFactory> factories = new ArrayList<>();
		List<RedisLockManager> managers = new ArrayList<>();
		for (int i = 0; i < INSTANCES; i++) {
			LettuceConnectionFactory factory = ClusterConnections.connectionFactory(redis.cluster());
			factories.add(factory);
			managers.add(RedisLockManager.builder(factory).build());
		}
		StringRedisTemplate redisCounters = new StringRedisTemplate(factories.get(0));
		try {
			int mostInside = CounterLoad.run(managers, THREADS_PER_INSTANCE, INCREMENTS_PER_COUNTER, redisCounters,
					counters);
			assertThat(counters).allSatisfy((counter) -> assertThat(redisCounters.opsForValue().get(counter))
				.isEqualTo(Integer.toString(INSTANCES * THREADS_PER_INSTANCE * INCREMENTS_PER_COUNTER)));
			assertThat(mostInside).isEqualTo(1);
		}
		finally {
			managers.forEach(RedisLockManager::close);
			factories.forEach(LettuceConnectionFactory::destroy);
		}
	}

}
