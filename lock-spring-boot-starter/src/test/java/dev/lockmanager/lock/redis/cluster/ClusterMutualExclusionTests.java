package dev.lockmanager.lock.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.redis.RedisLockManager;
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
		counters.forEach((counter) -> redisCounters.opsForValue().set(counter, "0"));
		Map<String, AtomicInteger> holders = new ConcurrentHashMap<>();
		AtomicInteger maxHolders = new AtomicInteger();
		ExecutorService threads = Executors.newFixedThreadPool(INSTANCES * THREADS_PER_INSTANCE);
		try {
			List<Future<?>> work = new ArrayList<>();
			for (RedisLockManager manager : managers) {
				for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
					work.add(threads.submit(() -> {
						for (int i = 0; i < INCREMENTS_PER_COUNTER; i++) {
							for (String counter : counters) {
								try (Lease lease = manager.acquire(counter, Duration.ofSeconds(10),
										Duration.ofSeconds(30))) {
									AtomicInteger holding = holders.computeIfAbsent(counter, (c) -> new AtomicInteger());
									maxHolders.accumulateAndGet(holding.incrementAndGet(), Math::max);
									int value = Integer.parseInt(redisCounters.opsForValue().get(counter));
									redisCounters.opsForValue().set(counter, Integer.toString(value + 1));
									holding.decrementAndGet();
								}
							}
						}
						return null;
					}));
				}
			}
			for (Future<?> future : work) {
				future.get();
			}
			assertThat(counters).allSatisfy((counter) -> assertThat(redisCounters.opsForValue().get(counter))
				.isEqualTo(Integer.toString(INSTANCES * THREADS_PER_INSTANCE * INCREMENTS_PER_COUNTER)));
			assertThat(maxHolders).hasValue(1);
		}
		finally {
			threads.shutdownNow();
			managers.forEach(RedisLockManager::close);
			factories.forEach(LettuceConnectionFactory::destroy);
		}
	}

}
