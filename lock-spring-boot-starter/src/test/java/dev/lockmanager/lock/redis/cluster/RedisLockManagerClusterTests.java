package dev.lockmanager.lock.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.BackendStatus;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * {@link RedisLockManager} on a Redis Cluster: every script stays in one slot, renewal batches work across masters,
 * and waiters are woken by releases published on any node.
 */
class RedisLockManagerClusterTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private final List<RedisLockManager> managers = new ArrayList<>();

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	@AfterEach
	void closeManagers() {
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
	}

	private RedisLockManager manager() {
		return manager((factory) -> RedisLockManager.builder(factory).build());
	}

	private RedisLockManager manager(Function<LettuceConnectionFactory, RedisLockManager> build) {
		LettuceConnectionFactory factory = ClusterConnections.connectionFactory(cluster());
		this.factories.add(factory);
		RedisLockManager manager = build.apply(factory);
		this.managers.add(manager);
		return manager;
	}

	private static RedisCluster cluster() {
		return redis.cluster();
	}

	@Test
	void leaseFencingAndChannelShareOneSlot() {
		String lease = ClusterConnections.leaseKey("x");

		assertThat(cluster().slot(lease + ":fencing")).isEqualTo(cluster().slot(lease))
			.isEqualTo(cluster().slot(lease + ":released"));
	}

	@Test
	void keyContainingBracesKeepsItsLockInOneSlot() {
		String id = UUID.randomUUID().toString();
		String key = "}{" + id + "}{";
		RedisLockManager manager = manager();

		Lease lease = manager.acquire(LockRequest.of(key, Duration.ofSeconds(10)).withRenewal(false));

		List<String> lockKeys = cluster().masters()
			.stream()
			.flatMap((master) -> ((List<?>) master.execute("KEYS", "*" + id + "*")).stream())
			.map(String.class::cast)
			.toList();
		assertThat(lockKeys).hasSize(2);
		assertThat(lockKeys.stream().map(cluster()::slot).distinct()).hasSize(1);
		assertThat(manager().tryAcquire(key, Duration.ofSeconds(10))).isEmpty();
		lease.release();
		assertThat(manager().tryAcquire(key, Duration.ofSeconds(10))).isPresent();
	}

	@Test
	void leasesOnEveryMasterStayHeldThroughBatchedRenewals() {
		List<String> keys = ClusterConnections.keysByMaster(cluster(), "renewed-" + UUID.randomUUID() + "-", 10)
			.values()
			.stream()
			.flatMap(List::stream)
			.toList();
		RedisLockManager holder = manager();
		RedisLockManager contender = manager();
		List<Lease> leases = keys.stream()
			.map((key) -> holder.tryAcquire(key, Duration.ofMillis(600)).orElseThrow())
			.toList();
		long evalsBefore = evalCalls();

		// Over three ttls: only renewals keep them
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(3))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> leases.stream().allMatch(Lease::isHeld));

		assertThat(keys).allSatisfy((key) -> assertThat(contender.tryAcquire(key, Duration.ofSeconds(10))).isEmpty());
		// Batches are pipelined EVALs (single renewals and acquisitions use EVALSHA): several batches of 30 were sent
		assertThat(evalCalls() - evalsBefore).isGreaterThanOrEqualTo(3L * keys.size());
		leases.forEach(Lease::release);
	}

	@Test
	void waiterIsWokenByTheReleaseRatherThanItsBackoff() throws Exception {
		String key = "woken-" + UUID.randomUUID();
		RedisLockManager holder = manager();
		RedisLockManager waiter = manager((factory) -> RedisLockManager.builder(factory)
			.backOff(Duration.ofSeconds(3), 2.0, Duration.ofSeconds(5), Duration.ZERO)
			.build());
		Lease held = holder.tryAcquire(key, Duration.ofSeconds(10)).orElseThrow();
		CompletableFuture<Lease> waiting = CompletableFuture
			.supplyAsync(() -> waiter.acquire(key, Duration.ofSeconds(10), Duration.ofSeconds(8)));
		String channel = ClusterConnections.leaseKey(key) + ":released";
		await().atMost(Duration.ofSeconds(5)).until(() -> ClusterConnections.subscribers(cluster(), channel) > 0);

		held.release();

		Lease acquired = waiting.get(500, TimeUnit.MILLISECONDS);
		assertThat(acquired.isHeld()).isTrue();
		acquired.release();
	}

	@Test
	void aQueuedCallerIsHandedTheLeaseOnItsSlotsMaster() throws Exception {
		String key = "handed-" + UUID.randomUUID();
		RedisLockManager manager = manager((factory) -> RedisLockManager.builder(factory)
			.handoff(16, Duration.ofMinutes(1))
			.build());
		Lease held = manager.acquire(key, Duration.ofSeconds(10), Duration.ofSeconds(1));
		CompletableFuture<Lease> queued = CompletableFuture
			.supplyAsync(() -> manager.acquire(key, Duration.ofSeconds(10), Duration.ofSeconds(8)));
		Thread.sleep(200);
		assertThat(queued).isNotDone();

		long published = publishCalls();
		held.release();

		Lease handed = queued.get(5, TimeUnit.SECONDS);
		assertThat(handed.fencingToken()).isGreaterThan(held.fencingToken());
		assertThat(publishCalls() - published).as("releases published: handed over, not released").isZero();
		assertThat(manager().tryAcquire(key, Duration.ofSeconds(10))).isEmpty();
		handed.release();
		assertThat(manager().tryAcquire(key, Duration.ofSeconds(10))).isPresent();
	}

	/** PUBLISH and SPUBLISH calls on every master, scripts' included. */
	private static long publishCalls() {
		return cluster().masters()
			.stream()
			.mapToLong((master) -> master.commandCalls("publish") + master.commandCalls("spublish"))
			.sum();
	}

	@Test
	void backendCheckReachesTheClusterAndLoadsTheScriptsOnEveryMaster() throws IOException {
		RedisLockManager manager = manager();
		cluster().masters().forEach((master) -> master.execute("SCRIPT", "FLUSH"));
		BackendStatus status = manager.checkBackend();
		assertThat(status.available()).isTrue();
		assertThat(status.nodes()).containsExactly(new BackendStatus.Node("cluster", true, null));
		String acquire = RedisScript.of(new ClassPathResource("acquire.lua", RedisLockManager.class)
			.getContentAsString(StandardCharsets.UTF_8)).getSha1();
		assertThat(cluster().masters()).allSatisfy(
				(master) -> assertThat(master.execute("SCRIPT", "EXISTS", acquire)).isEqualTo(List.of(1L)));
	}

	private static long evalCalls() {
		return cluster().masters().stream().mapToLong(RedisLockManagerClusterTests::evalCalls).sum();
	}

	private static long evalCalls(RedisServer node) {
		return ((String) node.execute("INFO", "commandstats")).lines()
			.filter((line) -> line.startsWith("cmdstat_eval:"))
			.mapToLong((line) -> Long.parseLong(line.replaceAll("^cmdstat_eval:calls=(\\d+),.*", "$1")))
			.sum();
	}

}
