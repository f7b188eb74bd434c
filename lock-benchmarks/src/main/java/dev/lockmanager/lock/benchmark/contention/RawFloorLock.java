package dev.lockmanager.lock.benchmark.contention;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The floor: the cheapest correct Redis lock, written by hand on a bare Lettuce client. {@code SET key token NX PX},
 * retried every millisecond while another holder has the key (no notification, no back-off), and a compare-and-delete
 * script by {@code EVALSHA} to release. Shows what waiting costs when nothing is spent on being clever about it.
 */
final class RawFloorLock implements HotKeyLock {

	private static final String COMPARE_AND_DELETE = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
			+ "return redis.call('DEL', KEYS[1]) end return 0";

	private static final SetArgs SET_NX_PX = SetArgs.Builder.nx().px(TTL.toMillis());

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	private final RedisCommands<String, String> redis;

	private final String[] keys;

	private final String compareAndDeleteSha;

	RawFloorLock(String host, int port, String key) {
		this.client = RedisClient.create(RedisURI.create(host, port));
		this.connection = this.client.connect();
		this.redis = this.connection.sync();
		this.keys = new String[] { key };
		this.compareAndDeleteSha = this.redis.scriptLoad(COMPARE_AND_DELETE);
	}

	@Override
	public Optional<Held> acquire(Duration waitTime) throws InterruptedException {
		long deadline = System.nanoTime() + waitTime.toNanos();
		// Unique per acquisition, so a release can never delete a later holder's key, even in another process.
		String token = Long.toHexString(ThreadLocalRandom.current().nextLong())
				+ Long.toHexString(ThreadLocalRandom.current().nextLong());
		while (!"OK".equals(this.redis.set(this.keys[0], token, SET_NX_PX))) {
			if (System.nanoTime() - deadline >= 0) {
				return Optional.empty();
			}
			Thread.sleep(1);
		}
		return Optional.of(() -> release(token));
	}

	private void release(String token) {
		Long deleted = this.redis.evalsha(this.compareAndDeleteSha, ScriptOutputType.INTEGER, this.keys, token);
		if (deleted == null || deleted != 1L) {
			throw new IllegalStateException("Raw floor lock " + this.keys[0] + " was no longer held at release");
		}
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
