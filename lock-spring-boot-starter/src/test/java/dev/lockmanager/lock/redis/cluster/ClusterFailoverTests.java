package dev.lockmanager.lock.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Clients keep locking keys of one master while its replica takes over with {@code CLUSTER FAILOVER}.
 */
class ClusterFailoverTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private static final int CLIENTS = 3;

	/** Attempts per iteration: calls in flight during the handover may time out or hit the demoted master. */
	private static final int ATTEMPTS = 10;

	private static final int ITERATIONS_AFTER_FAILOVER = 20;

	@Test
	void lockingContinuesThroughAFailoverWithFencingTokensStillIncreasing() throws Exception {
		RedisCluster cluster = redis.cluster();
		Map<RedisServer, List<String>> byMaster = ClusterConnections.keysByMaster(cluster,
				"failover-" + UUID.randomUUID() + "-", 3);
		RedisServer master = byMaster.keySet().iterator().next();
		List<String> keys = byMaster.get(master);
		RedisServer replica = cluster.replicaOf(master);
		List<LettuceConnectionFactory> factories = new ArrayList<>();
		List<RedisLockManager> managers = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			LettuceConnectionFactory factory = ClusterConnections.connectionFactory(cluster);
			factories.add(factory);
			managers.add(RedisLockManager.builder(factory).build());
		}
		Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
		Queue<String> backwardTokens = new ConcurrentLinkedQueue<>();
		Map<String, Long> lastTokens = new ConcurrentHashMap<>();
		AtomicInteger failedIterations = new AtomicInteger();
		AtomicInteger iterations = new AtomicInteger();
		AtomicBoolean failedOver = new AtomicBoolean();
		AtomicInteger iterationsAfterFailover = new AtomicInteger();
		AtomicBoolean stop = new AtomicBoolean();
		ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
		try {
			List<Future<?>> work = new ArrayList<>();
			for (RedisLockManager manager : managers) {
				work.add(threads.submit(() -> {
					for (int i = 0; !stop.get(); i++) {
						String key = keys.get(i % keys.size());
						boolean afterFailover = failedOver.get();
						if (!lockOnce(manager, key, lastTokens, backwardTokens, failures)) {
							failedIterations.incrementAndGet();
						}
						iterations.incrementAndGet();
						if (afterFailover) {
							iterationsAfterFailover.incrementAndGet();
						}
					}
				}));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> iterations.get() >= 30);

			cluster.failover(replica);
			failedOver.set(true);

			await().atMost(Duration.ofSeconds(20))
				.until(() -> iterationsAfterFailover.get() >= CLIENTS * ITERATIONS_AFTER_FAILOVER);
			stop.set(true);
			for (Future<?> future : work) {
				future.get();
			}
		}
		finally {
			stop.set(true);
			threads.shutdownNow();
			managers.forEach(RedisLockManager::close);
			factories.forEach(LettuceConnectionFactory::destroy);
		}
		assertThat(keys).allSatisfy((key) -> assertThat(cluster.masterFor(ClusterConnections.leaseKey(key)))
			.isSameAs(replica));
		assertThat(failedIterations).hasValue(0);
		assertThat(backwardTokens).isEmpty();
		assertThat(failures).noneSatisfy((failure) -> assertThat(causeChain(failure)).contains("CROSSSLOT"));
	}

	/**
	 * Acquires and releases the lock of {@code key}, retrying a bounded number of times.
	 * @return whether one attempt succeeded
	 */
	private static boolean lockOnce(RedisLockManager manager, String key, Map<String, Long> lastTokens,
			Queue<String> backwardTokens, Queue<Throwable> failures) {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			try (Lease lease = manager.acquire(key, Duration.ofSeconds(2), Duration.ofSeconds(3))) {
				long token = lease.fencingToken();
				// Recorded while holding the lock, so in acquisition order
				Long previous = lastTokens.put(key, token);
				if (previous != null && previous >= token) {
					backwardTokens.add(key + ": " + previous + " then " + token);
				}
				return true;
			}
			catch (RuntimeException ex) {
				failures.add(ex);
			}
		}
		return false;
	}

	private static String causeChain(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.append(cause).append('\n');
		}
		return messages.toString();
	}

}
