package dev.lockmanager.lock.benchmark.contention;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Spring Integration's {@link RedisLockRegistry} as an application configures it: one registry on its own
 * {@link LettuceConnectionFactory}, default settings except the lock type and a 30s expiry. Its locks are also local
 * {@code ReentrantLock}s, so an instance's threads queue in the JVM before one of them goes to Redis; in SPIN_LOCK
 * mode a waiter polls every 100ms (the default), in PUB_SUB_LOCK mode it waits for the holder's unlock message.
 */
final class IntegrationLock implements HotKeyLock {

	private final LettuceConnectionFactory connectionFactory;

	private final RedisLockRegistry registry;

	private final ExecutorService executor;

	private final String key;

	IntegrationLock(String host, int port, String key, RedisLockType type) {
		this.connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.registry = new RedisLockRegistry(this.connectionFactory, "contention-si", TTL);
		// The registry's default executor, but owned here: destroy() shuts its own down before it stops listening,
		// and an unlock message arriving in between is logged as a rejected task with a stack trace.
		this.executor = Executors.newCachedThreadPool(new CustomizableThreadFactory("redis-lock-registry-"));
		this.registry.setExecutor(this.executor);
		this.registry.setRedisLockType(type);
		this.key = key;
	}

	@Override
	public Optional<Held> acquire(Duration waitTime) throws InterruptedException {
		// obtain() on every call, as application code does: the registry caches the lock per key.
		Lock lock = this.registry.obtain(this.key);
		if (!lock.tryLock(waitTime.toMillis(), TimeUnit.MILLISECONDS)) {
			return Optional.empty();
		}
		return Optional.of(lock::unlock);
	}

	@Override
	public void close() {
		this.registry.destroy();
		this.executor.shutdown();
		this.connectionFactory.destroy();
	}

}
