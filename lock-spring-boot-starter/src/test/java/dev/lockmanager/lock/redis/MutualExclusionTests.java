package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Several application instances (separate connection factories) times several threads do a non-atomic
 * read-modify-write on a Redis counter under the lock: no update may be lost, and no two holders may overlap.
 */
class MutualExclusionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private static final int INSTANCES = 3;

	private static final int THREADS_PER_INSTANCE = 4;

	private static final int INCREMENTS_PER_THREAD = 250;

	@Test
	void readModifyWriteUnderTheLockLosesNoUpdate() throws Exception {
		List<LettuceConnectionFactory> factories = new ArrayList<>();
		List<RedisLockManager> managers = new ArrayList<>();
		for (int i = 0; i < INSTANCES; i++) {
			LettuceConnectionFactory factory = RedisConnections.connectionFactory(redis.server());
			factories.add(factory);
			managers.add(RedisLockManager.builder(factory).build());
		}
		StringRedisTemplate counter = new StringRedisTemplate(factories.get(0));
		counter.opsForValue().set("counter", "0");
		AtomicInteger holders = new AtomicInteger();
		AtomicInteger maxHolders = new AtomicInteger();
		ExecutorService threads = Executors.newFixedThreadPool(INSTANCES * THREADS_PER_INSTANCE);
		try {
			List<Future<?>> work = new ArrayList<>();
			for (RedisLockManager manager : managers) {
				for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
					work.add(threads.submit(() -> {
						for (int i = 0; i < INCREMENTS_PER_THREAD; i++) {
							try (Lease lease = manager.acquire("counter", Duration.ofSeconds(10), Duration.ofSeconds(60))) {
								maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
								int value = Integer.parseInt(counter.opsForValue().get("counter"));
								counter.opsForValue().set("counter", Integer.toString(value + 1));
								holders.decrementAndGet();
							}
						}
						return null;
					}));
				}
			}
			for (Future<?> future : work) {
				future.get();
			}
		}
		finally {
			threads.shutdownNow();
			managers.forEach(RedisLockManager::close);
		}
		assertThat(counter.opsForValue().get("counter"))
			.isEqualTo(Integer.toString(INSTANCES * THREADS_PER_INSTANCE * INCREMENTS_PER_THREAD));
		assertThat(maxHolders).hasValue(1);
		factories.forEach(LettuceConnectionFactory::destroy);
	}

}
