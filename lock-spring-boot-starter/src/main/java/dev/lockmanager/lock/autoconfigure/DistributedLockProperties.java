package dev.lockmanager.lock.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of Lock Manager, under the {@code distributed-lock} prefix. Validated when bound: an invalid value
 * fails the application context with the property name and the reason.
 *
 * @param enabled Whether to auto-configure the lock manager.
 * @param keyPrefix Prefix of every Redis key and channel used for locks; must not contain braces.
 * @param defaultTtl Lease length used when an annotation does not give one.
 * @param defaultWaitTime How long to wait for a held lock when an annotation does not say; 0 tries once.
 * @param maxTtl Longest lease ttl a caller may ask for.
 * @param maxWaitTime Longest wait time a caller may ask for.
 * @param maxWaiters How many callers of this instance may wait for locks at once; further callers fail at once.
 * @param fencingRetention How long a key's fencing counter is kept after its last acquisition.
 * @param backoff Pause between acquisition attempts when no release notification arrives.
 * @param handoff Direct handoff of a released lease to a caller of this instance waiting for the same key.
 * @param renewal Background renewal of held leases.
 * @param quorum Quorum (Redlock) mode over independent Redis masters, instead of spring.data.redis.
 * @param replicaAcknowledgement Replica acknowledgement (Redis WAIT) of new leases; off by default.
 * @param order Order of the @DistributedLock advice among other advice on the same bean; lower runs outside. The
 * default runs inside Spring Security's method security and outside @Transactional and @Cacheable.
 * @param metrics Micrometer meters of the leases this instance takes.
 * @param events Application events about the leases this instance takes.
 * @param health The distributedLock health indicator (with Spring Boot's health support).
 */
@ConfigurationProperties("distributed-lock")
public record DistributedLockProperties(@DefaultValue("true") boolean enabled, @DefaultValue("lock:") String keyPrefix,
		@DefaultValue("30s") Duration defaultTtl, @DefaultValue("5s") Duration defaultWaitTime,
		@DefaultValue("1h") Duration maxTtl, @DefaultValue("5m") Duration maxWaitTime,
		@DefaultValue("1000") int maxWaiters, @DefaultValue("7d") Duration fencingRetention,
		@DefaultValue Backoff backoff, @DefaultValue Handoff handoff, @DefaultValue Renewal renewal, @DefaultValue Quorum quorum,
		@DefaultValue ReplicaAcknowledgement replicaAcknowledgement, @DefaultValue(DEFAULT_ORDER) int order,
		@DefaultValue Metrics metrics, @DefaultValue Events events, @DefaultValue Health health) {

	/** {@code Ordered.LOWEST_PRECEDENCE - 1000}. */
	static final String DEFAULT_ORDER = "2147482647";

	public DistributedLockProperties {
		if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
			throw invalid("key-prefix", keyPrefix, "must not contain braces (they would move the Cluster hash slot)");
		}
		requireAtLeastOneMilli("max-ttl", maxTtl);
		requireAtLeastOneMilli("default-ttl", defaultTtl);
		requireAtLeastOneMilli("fencing-retention", fencingRetention);
		requireNotNegative("max-wait-time", maxWaitTime);
		requireNotNegative("default-wait-time", defaultWaitTime);
		if (defaultTtl.compareTo(maxTtl) > 0) {
			throw invalid("default-ttl", defaultTtl, "must not exceed max-ttl (" + maxTtl + ")");
		}
		if (defaultWaitTime.compareTo(maxWaitTime) > 0) {
			throw invalid("default-wait-time", defaultWaitTime, "must not exceed max-wait-time (" + maxWaitTime + ")");
		}
		if (maxWaiters < 0) {
			throw invalid("max-waiters", maxWaiters, "must not be negative");
		}
	}

	/**
	 * Exponential backoff with jitter between acquisition attempts; waiters are normally woken by the release.
	 *
	 * @param initialInterval First pause.
	 * @param multiplier Growth factor of each further pause, at least 1.
	 * @param maxInterval Longest pause; a pause never outlasts the holder's remaining ttl or the caller's deadline.
	 * @param jitter Random spread of each pause, scaled with the pause.
	 */
	public record Backoff(@DefaultValue("100ms") Duration initialInterval, @DefaultValue("2.0") double multiplier,
			@DefaultValue("2s") Duration maxInterval, @DefaultValue("50ms") Duration jitter) {

		public Backoff {
			requireAtLeastOneMilli("backoff.initial-interval", initialInterval);
			requireAtLeastOneMilli("backoff.max-interval", maxInterval);
			requireNotNegative("backoff.jitter", jitter);
			if (!(multiplier >= 1 && Double.isFinite(multiplier))) {
				throw invalid("backoff.multiplier", multiplier, "must be a finite number of at least 1");
			}
			if (maxInterval.compareTo(initialInterval) < 0) {
				throw invalid("backoff.max-interval", maxInterval,
						"must not be shorter than backoff.initial-interval (" + initialInterval + ")");
			}
		}

	}

	/**
	 * Direct handoff: a holder that releases while another caller of this instance waits for the same key hands the
	 * lease to it in one round trip. Bounded so that other instances get their turn: past either bound the lease goes
	 * back to Redis, which promises it to the instance that has waited longest.
	 *
	 * @param maxConsecutive Largest number of handoffs in a row within this instance; 0 turns handoff off.
	 * @param timeSlice How long after this instance took the key from Redis handoffs may go on; also how long a key
	 * released through Redis stays promised to the instance first in its line.
	 */
	public record Handoff(@DefaultValue("16") int maxConsecutive, @DefaultValue("50ms") Duration timeSlice) {

		public Handoff {
			if (maxConsecutive < 0) {
				throw invalid("handoff.max-consecutive", maxConsecutive, "must not be negative");
			}
			requireAtLeastOneMilli("handoff.time-slice", timeSlice);
		}

	}

	/**
	 * Background renewal of held leases.
	 *
	 * @param enabled Whether leases are renewed while held, unless a caller turns it off.
	 * @param ratio Fraction of the ttl after which a held lease is renewed, between 0.1 and 0.9.
	 */
	public record Renewal(@DefaultValue("true") boolean enabled, @DefaultValue("0.33") double ratio) {

		public Renewal {
			if (!(ratio >= 0.1 && ratio <= 0.9)) {
				throw invalid("renewal.ratio", ratio, "must be between 0.1 and 0.9");
			}
		}

	}

	/**
	 * Quorum (Redlock) mode: leases are taken on every node and granted by a majority.
	 *
	 * @param nodes Redis URIs of at least 3 independent masters (redis://host:6379); empty for the application's
	 * Redis.
	 * @param nodeTimeout How long to wait for each node; much shorter than the ttl.
	 */
	public record Quorum(@DefaultValue List<String> nodes, @DefaultValue("100ms") Duration nodeTimeout) {

		public Quorum {
			if (!nodes.isEmpty() && nodes.size() < 3) {
				throw invalid("quorum.nodes", nodes, "must list at least 3 independent Redis masters (or none)");
			}
			requireAtLeastOneMilli("quorum.node-timeout", nodeTimeout);
		}

	}

	/**
	 * Replica acknowledgement of new leases (Redis WAIT): narrows, does not close, the window in which a failover
	 * loses a fresh lease.
	 *
	 * @param replicas How many replicas must acknowledge a new lease before it is granted; 0 turns it off. A lease not
	 * acknowledged in time is given back and the attempt fails like an unreachable Redis.
	 * @param timeout How long Redis waits for the replicas' acknowledgement; shorter than the Redis command timeout
	 * (spring.data.redis.timeout, or the quorum node timeout).
	 */
	public record ReplicaAcknowledgement(@DefaultValue("0") int replicas, @DefaultValue("100ms") Duration timeout) {

		public ReplicaAcknowledgement {
			if (replicas < 0) {
				throw invalid("replica-acknowledgement.replicas", replicas, "must not be negative");
			}
			requireAtLeastOneMilli("replica-acknowledgement.timeout", timeout);
		}

	}

	/**
	 * Micrometer meters of the leases this instance takes (when the application has a MeterRegistry).
	 *
	 * @param maxNames Largest number of lock names, besides those listed in names, recorded as tag values of lock
	 * meters; further names are recorded as "other", and a warning is logged once.
	 * @param names Lock names that always keep their own tag value, such as those of the application's
	 * DistributedLock methods, however many names clients of the HTTP lock API use.
	 */
	public record Metrics(@DefaultValue("100") int maxNames, @DefaultValue List<String> names) {

		public Metrics {
			if (maxNames < 1) {
				throw invalid("metrics.max-names", maxNames, "must be at least 1");
			}
			names = List.copyOf(names);
		}

	}

	/**
	 * Application events about the leases this instance takes.
	 *
	 * @param enabled Whether to publish LeaseEvents (acquired, not acquired, released, renewal failed, lost, released
	 * after loss) to the application context.
	 */
	public record Events(@DefaultValue("true") boolean enabled) {
	}

	/**
	 * The {@code distributedLock} health indicator.
	 *
	 * @param timeout How long the health check waits for Redis at most (never longer than the Redis command
	 * timeout, or the quorum node timeout); a Redis that answers later is reported DOWN.
	 */
	public record Health(@DefaultValue("500ms") Duration timeout) {

		public Health {
			requireAtLeastOneMilli("health.timeout", timeout);
		}

	}

	private static void requireAtLeastOneMilli(String property, Duration value) {
		if (value.toMillis() < 1) {
			throw invalid(property, value, "must be at least 1ms");
		}
	}

	private static void requireNotNegative(String property, Duration value) {
		if (value.isNegative()) {
			throw invalid(property, value, "must not be negative");
		}
	}

	private static IllegalArgumentException invalid(String property, Object value, String reason) {
		return new IllegalArgumentException("distributed-lock." + property + " " + reason + " but was " + value);
	}

}
