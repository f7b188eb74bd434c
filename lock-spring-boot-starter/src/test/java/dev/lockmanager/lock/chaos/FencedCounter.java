package dev.lockmanager.lock.chaos;

import java.time.Duration;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * The resource the clients protect: a counter in a Redis server that no nemesis touches, incremented by
 * read-modify-write and guarded by claim-first fencing. The holder records its token on the resource before it
 * reads ({@code claim.lua}: only if the stored token is older), reads, and writes only if its claim still stands
 * ({@code write.lua}). A holder paused anywhere in between cannot write a value computed from a stale read: the
 * newer holder's claim came first.
 */
final class FencedCounter {

	private static final RedisScript<Long> CLAIM = RedisScript
		.of(new ClassPathResource("dev/lockmanager/lock/chaos/claim.lua"), Long.class);

	private static final RedisScript<Long> WRITE = RedisScript
		.of(new ClassPathResource("dev/lockmanager/lock/chaos/write.lua"), Long.class);

	private final StringRedisTemplate redis;

	private final String tokenKey;

	private final String valueKey;

	private final String acceptedKey;

	/**
	 * @param redis the resource's server
	 * @param name the counter's name, one per scenario
	 */
	FencedCounter(StringRedisTemplate redis, String name) {
		this.redis = redis;
		this.tokenKey = tokenKey(name);
		this.valueKey = valueKey(name);
		this.acceptedKey = acceptedKey(name);
	}

	/**
	 * Claims, reads, waits {@code think} (the holder's work), writes the value read plus one.
	 * @return what the resource answered, and the value written when accepted
	 */
	Result increment(long token, Duration think) throws InterruptedException {
		String fencingToken = Long.toString(token);
		if (this.redis.execute(CLAIM, List.of(this.tokenKey), fencingToken) != 1) {
			return new Result(Operation.Answer.CLAIM_REFUSED, -1);
		}
		String read = this.redis.opsForValue().get(this.valueKey);
		long value = ((read != null) ? Long.parseLong(read) : 0) + 1;
		Thread.sleep(think.toMillis());
		if (this.redis.execute(WRITE, List.of(this.tokenKey, this.valueKey, this.acceptedKey), fencingToken,
				Long.toString(value)) != 1) {
			return new Result(Operation.Answer.WRITE_REFUSED, -1);
		}
		return new Result(Operation.Answer.ACCEPTED, value);
	}

	/**
	 * Reads the counter and its log of accepted writes directly from the server.
	 */
	static ResourceState read(RedisServer server, String name) {
		Object value = server.execute("GET", valueKey(name));
		List<?> accepted = (List<?>) server.execute("LRANGE", acceptedKey(name), "0", "-1");
		return new ResourceState((value != null) ? Long.parseLong((String) value) : 0,
				accepted.stream().map((token) -> Long.parseLong((String) token)).toList());
	}

	private static String tokenKey(String name) {
		return name + ":token";
	}

	private static String valueKey(String name) {
		return name + ":value";
	}

	private static String acceptedKey(String name) {
		return name + ":accepted";
	}

	/**
	 * @param answer what the resource answered
	 * @param value the value written when accepted, else -1
	 */
	record Result(Operation.Answer answer, long value) {
	}

}
