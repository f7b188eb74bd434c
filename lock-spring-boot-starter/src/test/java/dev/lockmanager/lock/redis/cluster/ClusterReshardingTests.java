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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.cluster.SlotHash;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Clients keep acquiring, renewing and releasing locks whose keys share one hash slot while that slot moves to another
 * master, as a resharding moves it: first the source answers TRYAGAIN for acquisitions whose fencing counter is there
 * but whose lease is not, then ASK once the keys are on the target, then MOVED.
 */
class ClusterReshardingTests {

	private static final Log logger = LogFactory.getLog(ClusterReshardingTests.class);

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private static final int CLIENTS = 3;

	private static final int LOCKS = 3;

	/** Attempts per iteration: acquisitions retry TRYAGAIN within their wait time, so one should do. */
	private static final int ATTEMPTS = 3;

	private static final Duration TTL = Duration.ofSeconds(1);

	private static final Duration WAIT_TIME = Duration.ofSeconds(5);

	/** How long the slot stays in each intermediate state of the migration. */
	private static final Duration MIGRATION_PAUSE = Duration.ofMillis(500);

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<RedisLockManager> managers = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final AtomicBoolean stopping = new AtomicBoolean();

	@AfterEach
	void closeClients() {
		this.stopping.set(true);
		this.threads.shutdownNow();
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
	}

	@Test
	void locksStayExclusiveAndTokensIncreaseWhileTheirSlotMovesToAnotherMaster() throws Exception {
		RedisCluster cluster = redis.cluster();
		List<String> keys = keysInOneSlot("reshard-" + UUID.randomUUID() + "-", LOCKS + 1);
		List<String> looped = keys.subList(0, LOCKS);
		int slot = cluster.slot(ClusterConnections.leaseKey(keys.get(0)));
		RedisServer from = cluster.masterFor(ClusterConnections.leaseKey(keys.get(0)));
		RedisServer to = cluster.masters().stream().filter((master) -> master != from).findFirst().orElseThrow();
		// Renewed in the background all along: its renewals meet ASK and MOVED too
		Lease held = manager().acquire(LockRequest.of(keys.get(LOCKS), Duration.ofMillis(600)));
		Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
		AtomicInteger mostInside = new AtomicInteger();
		Map<String, Long> lastTokens = new ConcurrentHashMap<>();
		Queue<String> backwardTokens = new ConcurrentLinkedQueue<>();
		Queue<RuntimeException> failures = new ConcurrentLinkedQueue<>();
		AtomicInteger iterations = new AtomicInteger();
		AtomicInteger failedIterations = new AtomicInteger();
		List<Future<?>> loops = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			RedisLockManager client = manager();
			loops.add(this.threads.submit(() -> {
				for (int n = 0; !this.stopping.get(); n++) {
					String key = looped.get(n % LOCKS);
					boolean done = false;
					for (int attempt = 0; attempt < ATTEMPTS && !done; attempt++) {
						try (Lease lease = client.acquire(key, TTL, WAIT_TIME)) {
							AtomicInteger holders = inside.computeIfAbsent(key, (k) -> new AtomicInteger());
							mostInside.accumulateAndGet(holders.incrementAndGet(), Math::max);
							try {
								Long previous = lastTokens.put(key, lease.fencingToken());
								if (previous != null && previous >= lease.fencingToken()) {
									backwardTokens.add(key + ": " + previous + " then " + lease.fencingToken());
								}
								lease.renew(TTL);
							}
							finally {
								holders.decrementAndGet();
							}
							done = true;
						}
						catch (RuntimeException ex) {
							failures.add(ex);
						}
					}
					if (!done) {
						failedIterations.incrementAndGet();
					}
					iterations.incrementAndGet();
				}
				return null;
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> iterations.get() >= 30);
		Map<String, Long> fromErrorsBefore = errorCounts(from);
		long askingBefore = commandCalls(to, "asking");
		int iterationsBefore = iterations.get();

		long migrationStart = System.nanoTime();
		cluster.migrateSlot(slot, to, MIGRATION_PAUSE);
		long migrated = System.nanoTime();
		int iterationsDuring = iterations.get() - iterationsBefore;
		await().atMost(Duration.ofSeconds(10)).until(() -> iterations.get() >= iterationsBefore + iterationsDuring + 30);
		this.stopping.set(true);
		for (Future<?> loop : loops) {
			loop.get(WAIT_TIME.multipliedBy(ATTEMPTS).toMillis(), TimeUnit.MILLISECONDS);
		}

		Map<String, Long> fromErrors = errorCounts(from);
		logger.info("Resharding: slot " + slot + " moved in " + TimeUnit.NANOSECONDS.toMillis(migrated - migrationStart)
				+ "ms with " + iterationsDuring + " iterations meanwhile; errors the source answered: " + fromErrors
				+ " (before: " + fromErrorsBefore + "); " + failures.size() + " failed attempts: "
				+ failures.stream().map(RuntimeException::getMessage).distinct().toList());
		assertThat(failedIterations).hasValue(0);
		assertThat(mostInside).hasValue(1);
		assertThat(backwardTokens).isEmpty();
		assertThat(failures).noneSatisfy((failure) -> assertThat(failure.getMessage()).contains("CROSSSLOT"));
		assertThat(held.isHeld()).isTrue();
		held.release();
		// The clients were redirected, and followed: ASKING is what Lettuce sends before a command redirected by ASK
		assertThat(fromErrors.getOrDefault("ASK", 0L)).isGreaterThan(fromErrorsBefore.getOrDefault("ASK", 0L));
		assertThat(fromErrors.getOrDefault("MOVED", 0L)).isGreaterThan(fromErrorsBefore.getOrDefault("MOVED", 0L));
		assertThat(commandCalls(to, "asking")).isGreaterThan(askingBefore);
		// The lock keys (lease, fencing counter) now live on the new master only
		assertThat(keys).allSatisfy((key) -> {
			String fencing = ClusterConnections.leaseKey(key) + ":fencing";
			assertThat(cluster.masterFor(fencing)).isSameAs(to);
			assertThat(to.execute("EXISTS", fencing)).isEqualTo(1L);
		});
		assertThat(from.execute("CLUSTER", "COUNTKEYSINSLOT", String.valueOf(slot))).isEqualTo(0L);
	}

	private RedisLockManager manager() {
		LettuceConnectionFactory factory = ClusterConnections.connectionFactory(redis.cluster());
		this.factories.add(factory);
		RedisLockManager manager = RedisLockManager.builder(factory).build();
		this.managers.add(manager);
		return manager;
	}

	/** Lock keys whose leases hash to one slot, found with the client's own slot function. */
	private static List<String> keysInOneSlot(String prefix, int count) {
		List<String> keys = new ArrayList<>(List.of(prefix + 0));
		int slot = SlotHash.getSlot(ClusterConnections.leaseKey(keys.get(0)));
		for (int i = 1; keys.size() < count; i++) {
			if (SlotHash.getSlot(ClusterConnections.leaseKey(prefix + i)) == slot) {
				keys.add(prefix + i);
			}
		}
		return keys;
	}

	/** {@code INFO errorstats}: the error replies a node sent, by error prefix (Redis 6.2+). */
	private static Map<String, Long> errorCounts(RedisServer node) {
		Map<String, Long> counts = new ConcurrentHashMap<>();
		((String) node.execute("INFO", "errorstats")).lines()
			.filter((line) -> line.startsWith("errorstat_"))
			.forEach((line) -> counts.put(line.substring("errorstat_".length(), line.indexOf(':')),
					Long.parseLong(line.replaceAll("^.*count=(\\d+).*$", "$1"))));
		return counts;
	}

	private static long commandCalls(RedisServer node, String command) {
		return ((String) node.execute("INFO", "commandstats")).lines()
			.filter((line) -> line.startsWith("cmdstat_" + command + ":"))
			.mapToLong((line) -> Long.parseLong(line.replaceAll("^[^:]+:calls=(\\d+),.*", "$1")))
			.sum();
	}

}
