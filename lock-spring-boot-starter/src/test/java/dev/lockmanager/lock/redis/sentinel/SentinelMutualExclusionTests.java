package dev.lockmanager.lock.redis.sentinel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.CounterLoad;
import dev.lockmanager.lock.testing.RedisSentinelGroup;

/**
 * Several application instances connected through Sentinel times several threads do a non-atomic read-modify-write
 * on a Redis counter under the lock: no update may be lost, and no two holders may overlap.
 */
class SentinelMutualExclusionTests {

	private static final int INSTANCES = 3;

	private static final int THREADS_PER_INSTANCE = 3;

	private static final int INCREMENTS_PER_THREAD = 67;

	private final RedisSentinelGroup group = new RedisSentinelGroup();

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<RedisLockManager> managers = new ArrayList<>();

	@BeforeEach
	void startGroup() {
		this.group.start();
	}

	@AfterEach
	void stopGroup() {
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
		this.group.close();
	}

	@Test
	void readModifyWriteUnderTheLockLosesNoUpdate() throws Exception {
		for (int i = 0; i < INSTANCES; i++) {
			LettuceConnectionFactory factory = SentinelConnections.connectionFactory(this.group);
			this.factories.add(factory);
			this.managers.add(RedisLockManager.builder(factory).build());
		}
		StringRedisTemplate counter = new StringRedisTemplate(this.factories.get(0));
		int mostInside = CounterLoad.run(this.managers, THREADS_PER_INSTANCE, INCREMENTS_PER_THREAD, counter,
				List.of("counter"));
		assertThat(counter.opsForValue().get("counter"))
			.isEqualTo(Integer.toString(INSTANCES * THREADS_PER_INSTANCE * INCREMENTS_PER_THREAD));
		assertThat(mostInside).isEqualTo(1);
		// The writes went to the master that Sentinel names
		assertThat(this.group.master().execute("GET", "counter"))
			.isEqualTo(Integer.toString(INSTANCES * THREADS_PER_INSTANCE * INCREMENTS_PER_THREAD));
	}

}
