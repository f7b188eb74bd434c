package dev.lockmanager.lock.benchmark.contention;

import java.time.Duration;
import java.util.Optional;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * This starter's {@link RedisLockManager}, built with its defaults (renewal on, release notifications, back-off) on
 * a {@link LettuceConnectionFactory} of its own and started, as its auto-configuration does in an application.
 */
final class StarterLock implements HotKeyLock {

	private final LettuceConnectionFactory connectionFactory;

	private final RedisLockManager manager;

	private final String key;

	StarterLock(String host, int port, String key) {
		this.connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.manager = RedisLockManager.builder(this.connectionFactory)
			.handoff(Integer.getInteger("bench.starter.handoffs", 16),
					Duration.ofMillis(Long.getLong("bench.starter.sliceMillis", 50)))
			.build();
		this.manager.start();
		this.key = key;
	}

	@Override
	public Optional<Held> acquire(Duration waitTime) {
		Lease lease;
		try {
			lease = this.manager.acquire(this.key, TTL, waitTime);
		}
		catch (LockNotAcquiredException ex) {
			return Optional.empty();
		}
		return Optional.of(new Held() {

			@Override
			public void release() {
				lease.release();
			}

			@Override
			public long fencingToken() {
				return lease.fencingToken();
			}

		});
	}

	@Override
	public void close() {
		this.manager.close();
		this.connectionFactory.destroy();
	}

}
