package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.testing.CounterLoad;
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
		int mostInside;
		try {
			mostInside = CounterLoad.run(managers, THREADS_PER_INSTANCE, INCREMENTS_PER_THREAD, counter,
					List.of("counter"));
		}
		finally {
			managers.forEach(RedisLockManager::close);
		}
		assertThat(counter.opsForValue().get("counter"))
			.isEqualTo(Integer.toString(INSTANCES * THREADS_PER_INSTANCE * INCREMENTS_PER_THREAD));
		assertThat(mostInside).isEqualTo(1);
		factories.forEach(LettuceConnectionFactory::destroy);
	}

}
