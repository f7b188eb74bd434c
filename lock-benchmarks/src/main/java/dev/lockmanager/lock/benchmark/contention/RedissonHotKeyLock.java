package dev.lockmanager.lock.benchmark.contention;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson's {@link RLock} on a {@link RedissonClient} of its own with the default settings (connection pool, netty
 * threads, codec), as an application creates one. The lease time is given, so Redisson's watchdog does not renew.
 * A Redisson lock belongs to the thread that took it, which the benchmark's threads respect.
 */
final class RedissonHotKeyLock implements HotKeyLock {

	private final RedissonClient client;

	private final String key;

	RedissonHotKeyLock(String host, int port, String key) {
		Config config = new Config();
		config.useSingleServer().setAddress("redis://" + host + ":" + port);
		this.client = Redisson.create(config);
		this.key = key;
	}

	@Override
	public Optional<Held> acquire(Duration waitTime) throws InterruptedException {
		RLock lock = this.client.getLock(this.key);
		if (!lock.tryLock(waitTime.toMillis(), TTL.toMillis(), TimeUnit.MILLISECONDS)) {
			return Optional.empty();
		}
		return Optional.of(lock::unlock);
	}

	@Override
	public void close() {
		this.client.shutdown();
	}

}
