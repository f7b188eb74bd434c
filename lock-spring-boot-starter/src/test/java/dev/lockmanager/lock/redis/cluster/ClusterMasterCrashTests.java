package dev.lockmanager.lock.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.redis.RedisLockManagerBuilder;
import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * A master crashes (SIGKILL) and the cluster promotes its replica by itself once the node timeout (2s) has passed:
 * clients keep locking keys of the other masters meanwhile, lock the crashed master's keys again on the promoted
 * replica, and waiters for those keys subscribe there. The clients follow the promotion only through Lettuce's
 * topology refresh, configured as {@link ClusterConnections} does.
 */
class ClusterMasterCrashTests {

	private static final Log logger = LogFactory.getLog(ClusterMasterCrashTests.class);

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private static final int CLIENTS = 2;

	private static final Duration TTL = Duration.ofSeconds(2);

	private static final Duration WAIT_TIME = Duration.ofSeconds(3);

	/** Node timeout, failure agreement between the masters, then the replicas' election. */
	private static final Duration PROMOTION_TIMEOUT = Duration.ofSeconds(20);

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<RedisLockManager> managers = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final AtomicBoolean stopping = new AtomicBoolean();

	@AfterEach
	void closeClientsAndReviveTheCluster() {
		this.stopping.set(true);
		this.threads.shutdownNow();
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
		RedisCluster cluster = redis.cluster();
		cluster.nodes().stream().filter((node) -> !node.isRunning()).forEach(RedisServer::start);
		// Back as a replica of the promoted node, in sync: the next test and class start from a healthy cluster
		cluster.awaitHealthy(Duration.ofSeconds(30));
	}

	@Test
	void lockingOnOtherMastersContinuesThroughTheCrashAndResumesOnThePromotedReplica() throws Exception {
		RedisCluster cluster = redis.cluster();
		Map<RedisServer, List<String>> byMaster = ClusterConnections.keysByMaster(cluster,
				"crash-" + UUID.randomUUID() + "-", 2);
		RedisServer crashed = byMaster.keySet().iterator().next();
		RedisServer replica = cluster.replicaOf(crashed);
		List<String> crashedKeys = byMaster.get(crashed);
		List<String> otherKeys = byMaster.entrySet()
			.stream()
			.filter((entry) -> entry.getKey() != crashed)
			.flatMap((entry) -> entry.getValue().stream())
			.toList();
		Queue<Operation> operations = new ConcurrentLinkedQueue<>();
		Map<String, Long> lastTokens = new ConcurrentHashMap<>();
		Queue<String> backwardTokens = new ConcurrentLinkedQueue<>();
		List<Future<?>> loops = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			RedisLockManager client = manager();
			loops.add(this.threads.submit(() -> lockUntilStopped(client, crashedKeys, operations, lastTokens,
					backwardTokens)));
			loops.add(this.threads.submit(() -> lockUntilStopped(client, otherKeys, operations, lastTokens,
					backwardTokens)));
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> count(operations, (op) -> op.succeeded() && crashedKeys.contains(op.key())) >= 20
					&& count(operations, (op) -> op.succeeded() && otherKeys.contains(op.key())) >= 20);

		crashed.kill();
		long killedAt = System.nanoTime();
		cluster.awaitMaster(replica, PROMOTION_TIMEOUT);
		long promotedAt = System.nanoTime();
		await().atMost(WAIT_TIME.multipliedBy(3))
			.until(() -> count(operations,
					(op) -> op.succeeded() && crashedKeys.contains(op.key()) && op.startNanos() > promotedAt) >= 10);
		this.stopping.set(true);
		for (Future<?> loop : loops) {
			loop.get(WAIT_TIME.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
		}

		List<Operation> onOtherMasters = operations.stream().filter((op) -> otherKeys.contains(op.key())).toList();
		List<Operation> onCrashedMaster = operations.stream().filter((op) -> crashedKeys.contains(op.key())).toList();
		long resumedAt = onCrashedMaster.stream()
			.filter((op) -> op.succeeded() && op.startNanos() > killedAt)
			.mapToLong(Operation::endNanos)
			.min()
			.orElseThrow();
		long duringOutage = onOtherMasters.stream()
			.filter((op) -> op.succeeded() && op.startNanos() > killedAt && op.endNanos() < promotedAt)
			.count();
		logger.info("Master crash: replica promoted " + millis(promotedAt - killedAt) + "ms after the kill; "
				+ "its keys locked again " + millis(resumedAt - killedAt) + "ms after the kill, "
				+ count(onCrashedMaster, (op) -> !op.succeeded()) + " failed operations on them; " + duringOutage
				+ " operations on the other masters during the outage, the longest took "
				+ millis(onOtherMasters.stream().mapToLong(Operation::nanos).max().orElseThrow()) + "ms");
		assertThat(onOtherMasters).allSatisfy((op) -> {
			assertThat(op.failure()).isNull();
			assertThat(Duration.ofNanos(op.nanos())).isLessThan(WAIT_TIME);
		});
		assertThat(duringOutage).isGreaterThanOrEqualTo(10);
		// While the master is down its keys cannot be locked, nor leases granted just before the crash released:
		// reported through the documented exceptions (Redis unreachable, lease lost)
		assertThat(onCrashedMaster).filteredOn((op) -> !op.succeeded())
			.allSatisfy((op) -> assertThat(op.failure()).isInstanceOf(LockException.class));
		assertThat(operations).noneSatisfy((op) -> assertThat(String.valueOf(op.failure())).contains("CROSSSLOT"));
		assertThat(backwardTokens).isEmpty();
		assertThat(crashedKeys).allSatisfy(
				(key) -> assertThat(cluster.masterFor(ClusterConnections.leaseKey(key))).isSameAs(replica));
	}

	@Test
	void waiterForAKeyOfTheCrashedMasterIsWokenByAReleaseOnThePromotedReplica() throws Exception {
		RedisCluster cluster = redis.cluster();
		assumeTrue(ClusterConnections.shardedPubSub(cluster),
				"classic subscriptions stay with the node Lettuce subscribed on, which may be the crashed one");
		String key = "crash-woken-" + UUID.randomUUID();
		String channel = ClusterConnections.leaseKey(key) + ":released";
		RedisServer crashed = cluster.masterFor(channel);
		RedisServer replica = cluster.replicaOf(crashed);
		LettuceConnectionFactory holderConnections = factory();
		Lease held = manager(RedisLockManager.builder(holderConnections)).tryAcquire(key, Duration.ofSeconds(30))
			.orElseThrow();
		// The lease must survive the crash on the replica
		cluster.awaitReplicated(crashed, Duration.ofSeconds(5));
		RedisLockManager waiting = manager(RedisLockManager.builder(factory())
			.backOff(Duration.ofSeconds(10), 2.0, Duration.ofSeconds(10), Duration.ZERO));
		CompletableFuture<Long> acquiredAt = CompletableFuture.supplyAsync(() -> {
			waiting.acquire(key, Duration.ofSeconds(30), Duration.ofSeconds(20)).release();
			return System.nanoTime();
		});
		await().atMost(Duration.ofSeconds(5))
			.until(() -> ClusterConnections.subscribers(cluster, channel) == 1);

		crashed.kill();
		cluster.awaitMaster(replica, PROMOTION_TIMEOUT);

		// Subscribed again on the promoted replica, well before its 10s backoff would have ended; and the holder
		// sends its release there, not to the crashed master
		await().atMost(Duration.ofSeconds(5))
			.until(() -> ClusterConnections.count(replica, "SHARDNUMSUB", channel) == 1);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> ClusterConnections.routesTo(holderConnections, cluster.slot(channel), replica));
		long releasedAt = System.nanoTime();
		held.release();
		assertThat(Duration.ofNanos(acquiredAt.get(20, TimeUnit.SECONDS) - releasedAt))
			.isLessThan(Duration.ofSeconds(1));
	}

	@Test
	void renewedLeasesOnOtherMastersStayHeldWhileAMasterIsDown() {
		RedisCluster cluster = redis.cluster();
		Map<RedisServer, List<String>> byMaster = ClusterConnections.keysByMaster(cluster,
				"renewed-crash-" + UUID.randomUUID() + "-", 1);
		RedisServer crashed = byMaster.keySet().iterator().next();
		RedisServer replica = cluster.replicaOf(crashed);
		RedisLockManager holder = manager();
		// Taken together, so they are due together and renewed in one batch. Redis answers CLUSTERDOWN everywhere from
		// the moment the master is marked failed until its replica is promoted (cluster-require-full-coverage): the
		// ttl leaves room for that.
		Map<RedisServer, Lease> leases = new ConcurrentHashMap<>();
		byMaster.forEach((master, keys) -> leases.put(master, holder.acquire(LockRequest.of(keys.get(0), TTL))));

		crashed.kill();
		long killedAt = System.nanoTime();
		cluster.awaitMaster(replica, PROMOTION_TIMEOUT);

		// Only renewals on the healthy masters can have kept them through an outage longer than their ttl
		assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isGreaterThan(TTL);
		assertThat(leases).allSatisfy((master, lease) -> {
			if (master != crashed) {
				assertThat(lease.isHeld()).as("lease on " + master).isTrue();
			}
		});
	}

	private RedisLockManager manager() {
		return manager(RedisLockManager.builder(factory()));
	}

	private LettuceConnectionFactory factory() {
		LettuceConnectionFactory factory = ClusterConnections.connectionFactory(redis.cluster());
		this.factories.add(factory);
		return factory;
	}

	private RedisLockManager manager(RedisLockManagerBuilder builder) {
		RedisLockManager manager = builder.build();
		this.managers.add(manager);
		return manager;
	}

	private Void lockUntilStopped(RedisLockManager client, List<String> keys, Queue<Operation> operations,
			Map<String, Long> lastTokens, Queue<String> backwardTokens) {
		for (int i = 0; !this.stopping.get(); i++) {
			String key = keys.get(i % keys.size());
			long start = System.nanoTime();
			try (Lease lease = client.acquire(key, TTL, WAIT_TIME)) {
				// Recorded while holding the lock, so in acquisition order
				Long previous = lastTokens.put(key, lease.fencingToken());
				if (previous != null && previous >= lease.fencingToken()) {
					backwardTokens.add(key + ": " + previous + " then " + lease.fencingToken());
				}
			}
			catch (RuntimeException ex) {
				operations.add(new Operation(key, start, System.nanoTime(), ex));
				continue;
			}
			operations.add(new Operation(key, start, System.nanoTime(), null));
		}
		return null;
	}

	private static long count(Iterable<Operation> operations, Predicate<Operation> filter) {
		long count = 0;
		for (Operation op : operations) {
			if (filter.test(op)) {
				count++;
			}
		}
		return count;
	}

	private static long millis(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(nanos);
	}

	/** One acquire and release of a key; a release that finds the lease lost counts as a failure too. */
	private record Operation(String key, long startNanos, long endNanos, RuntimeException failure) {

		boolean succeeded() {
			return this.failure == null;
		}

		long nanos() {
			return this.endNanos - this.startNanos;
		}

	}

}
