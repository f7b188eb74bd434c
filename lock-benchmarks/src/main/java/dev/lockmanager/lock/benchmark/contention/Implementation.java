package dev.lockmanager.lock.benchmark.contention;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * The lock implementations compared, each opened as one {@link HotKeyLock} per application instance. The ids are the
 * values of {@code bench.contention.implementations} and the child processes' first argument.
 */
enum Implementation {

	RAW("raw", "raw floor: SET NX, 1ms poll", false,
			"SET key token NX PX 30000 retried every 1ms, EVALSHA compare-and-delete; one Lettuce connection"),

	SI_SPIN("si-spin", "Spring Integration SPIN_LOCK", false,
			"RedisLockRegistry obtain(key).tryLock(60s): a local ReentrantLock, then Redis polled every 100ms "
					+ "(default)"),

	SI_PUBSUB("si-pubsub", "Spring Integration PUB_SUB_LOCK", false,
			"the same registry in PUB_SUB_LOCK mode: waiters wake on the holder's unlock message"),

	REDISSON("redisson", "Redisson RLock", false,
			"getLock(key).tryLock(60s, 30s): waiters wake on a pub/sub message; default client (24+1 connections)"),

	STARTER("starter", "this starter: LockManager", true,
			"RedisLockManager acquire(key, 30s, 60s), builder defaults (renewal on), started");

	/** Every implementation locks a key of its own, so that none sees another's leftovers. */
	private static final String KEY = "contention-hot";

	final String id;

	final String label;

	/** Whether the implementation issues fencing tokens, which must then only grow. */
	final boolean fencing;

	/** How it locks and waits, for the report's header. */
	final String description;

	Implementation(String id, String label, boolean fencing, String description) {
		this.id = id;
		this.label = label;
		this.fencing = fencing;
		this.description = description;
	}

	/** Opens one application instance: a new client or connection factory of its own. */
	HotKeyLock open(String host, int port) {
		String key = KEY + ":" + this.id;
		return switch (this) {
			case RAW -> new RawFloorLock(host, port, key);
			case SI_SPIN -> new IntegrationLock(host, port, key, RedisLockType.SPIN_LOCK);
			case SI_PUBSUB -> new IntegrationLock(host, port, key, RedisLockType.PUB_SUB_LOCK);
			case REDISSON -> new RedissonHotKeyLock(host, port, key);
			case STARTER -> new StarterLock(host, port, key);
		};
	}

	static Implementation byId(String id) {
		String wanted = id.trim().toLowerCase(Locale.ROOT);
		return Arrays.stream(values())
			.filter(implementation -> implementation.id.equals(wanted))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("Unknown implementation '" + id
					+ "' in bench.contention.implementations; known: "
					+ Arrays.stream(values()).map(implementation -> implementation.id).collect(Collectors.joining(","))));
	}

}
