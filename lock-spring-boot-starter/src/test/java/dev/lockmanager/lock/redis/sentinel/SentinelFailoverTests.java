package dev.lockmanager.lock.redis.sentinel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisSentinelGroup;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * What the lock manager does when Sentinel replaces a crashed master: acquisitions resume once a replica is
 * promoted, no call outlasts its wait time plus the command timeout, a lease the new master does not know is reported
 * lost rather than silently kept, and fencing tokens keep increasing.
 */
class SentinelFailoverTests {

	private static final Log logger = LogFactory.getLog(SentinelFailoverTests.class);

	private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(20);

	private static final Duration WAIT_TIME = Duration.ofSeconds(10);

	/** Scheduling and GC slack on top of the documented bound. */
	private static final Duration SLACK = Duration.ofSeconds(1);

	private final RedisSentinelGroup group = new RedisSentinelGroup();

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<RedisLockManager> managers = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final AtomicBoolean stopping = new AtomicBoolean();

	@BeforeEach
	void startGroup() {
		this.group.start();
	}

	@AfterEach
	void stopGroup() throws InterruptedException {
		this.stopping.set(true);
		this.threads.shutdownNow();
		this.threads.awaitTermination(15, TimeUnit.SECONDS);
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
		this.group.close();
	}

	@Test
	void acquisitionsResumeAfterFailoverAndTheHeldLeaseIsRenewedOrReportedLost() throws Exception {
		Lease held = manager().acquire(LockRequest.of("held", Duration.ofSeconds(2)));
		List<Acquisition> acquisitions = Collections.synchronizedList(new ArrayList<>());
		List<Future<?>> loops = new ArrayList<>();
		for (RedisLockManager client : List.of(manager(), manager())) {
			for (int t = 0; t < 2; t++) {
				String key = "work-" + loops.size();
				loops.add(this.threads.submit(() -> acquireAndReleaseUntilStopped(client, key, acquisitions)));
			}
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> acquisitions.size() >= 20);

		this.group.killMaster();
		long killedAt = System.nanoTime();
		this.group.awaitFailover(FAILOVER_TIMEOUT);
		long failedOverAt = System.nanoTime();
		await().atMost(WAIT_TIME.plus(SentinelConnections.COMMAND_TIMEOUT))
			.until(() -> successesEndingAfter(acquisitions, failedOverAt) >= 20);
		this.stopping.set(true);
		for (Future<?> loop : loops) {
			loop.get(WAIT_TIME.plus(SentinelConnections.COMMAND_TIMEOUT).plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
		}

		long resumedAt = acquisitions.stream()
			.filter((acquisition) -> acquisition.failure() == null && acquisition.endNanos() > killedAt)
			.mapToLong(Acquisition::endNanos)
			.min()
			.getAsLong();
		logger.info("Failover: sentinels promoted a replica " + millis(failedOverAt - killedAt)
				+ "ms after the master was killed; acquisitions resumed " + millis(resumedAt - killedAt)
				+ "ms after the kill; longest acquire call " + millis(acquisitions.stream()
					.mapToLong((acquisition) -> acquisition.endNanos() - acquisition.startNanos())
					.max()
					.getAsLong()) + "ms");
		assertThat(acquisitions).allSatisfy((acquisition) -> {
			assertThat(acquisition.failure()).isNull();
			assertThat(Duration.ofNanos(acquisition.endNanos() - acquisition.startNanos()))
				.isLessThan(WAIT_TIME.plus(SentinelConnections.COMMAND_TIMEOUT).plus(SLACK));
		});

		// Any validity granted by the old master has run out by now: a lease still held was renewed by the new one.
		await().atMost(Duration.ofSeconds(3))
			.until(() -> System.nanoTime() - killedAt > Duration.ofMillis(2100).toNanos());
		if (held.isHeld()) {
			logger.info("Failover: the held lease was renewed on the new master");
			assertThatNoException().isThrownBy(held::release);
		}
		else {
			logger.info("Failover: the held lease was reported lost");
			assertThat(held.remaining()).isZero();
			assertThatExceptionOfType(LeaseLostException.class).isThrownBy(held::release)
				.satisfies((ex) -> logger.info("Failover: " + ex.getMessage()));
		}
	}

	@Test
	void leaseMissingOnThePromotedReplicaIsReportedLost() {
		RedisLockManager holder = manager();
		Lease lease = holder.acquire(LockRequest.of("unreplicated", Duration.ofSeconds(5)));
		String leaseKey = "lock:{default:unreplicated}";
		// Asynchronous replication may lose the last writes of a crashed master: remove the lease from the replicas
		// behind the master's back, so that whichever replica is promoted never had it.
		List<RedisServer> replicas = this.group.replicas();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> replicas.stream().allMatch((replica) -> Long.valueOf(1).equals(replica.execute("EXISTS", leaseKey))));
		for (RedisServer replica : replicas) {
			replica.execute("CONFIG", "SET", "replica-read-only", "no");
			replica.execute("DEL", leaseKey);
		}

		this.group.killMaster();
		this.group.awaitFailover(FAILOVER_TIMEOUT);

		await().atMost(Duration.ofSeconds(5)).until(() -> !lease.isHeld());
		assertThat(lease.remaining()).isZero();
		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(lease::release)
			.satisfies((ex) -> logger.info("Unreplicated lease: " + ex.getMessage()));
		assertThat(manager().tryAcquire("unreplicated", Duration.ofSeconds(5))).get()
			.satisfies((successor) -> assertThat(successor.fencingToken()).isGreaterThan(lease.fencingToken()));
	}

	@Test
	void leaseReplicatedBeforeTheCrashKeepsBeingRenewedByTheNewMaster() {
		Duration ttl = Duration.ofSeconds(4);
		Lease lease = manager().acquire(LockRequest.of("replicated", ttl));
		String leaseKey = "lock:{default:replicated}";
		List<RedisServer> replicas = this.group.replicas();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> replicas.stream().allMatch((replica) -> Long.valueOf(1).equals(replica.execute("EXISTS", leaseKey))));

		this.group.killMaster();
		RedisServer promoted = this.group.awaitFailover(FAILOVER_TIMEOUT);

		// Held for a whole ttl after the failover: renewals on the new master extended it
		await().during(ttl).atMost(ttl.plusSeconds(1)).until(lease::isHeld);
		assertThat((Long) promoted.execute("PTTL", leaseKey)).isPositive();
		assertThatNoException().isThrownBy(lease::release);
		assertThat(promoted.execute("EXISTS", leaseKey)).isEqualTo(0L);
	}

	@Test
	void fencingTokensNeverGoBackwardsAcrossFailover() throws Exception {
		List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
		List<Future<?>> loops = new ArrayList<>();
		for (RedisLockManager client : List.of(manager(), manager())) {
			loops.add(this.threads.submit(() -> {
				while (!this.stopping.get()) {
					try (Lease lease = client.acquire("fenced", Duration.ofSeconds(2), WAIT_TIME)) {
						tokens.add(lease.fencingToken());
					}
					catch (LeaseLostException ex) {
						// Released after the failover lost it: its token was still recorded while it was held
					}
				}
				return null;
			}));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> tokens.size() >= 20);

		this.group.killMaster();
		int beforeFailover = tokens.size();
		RedisServer promoted = this.group.awaitFailover(FAILOVER_TIMEOUT);
		// The counter may not have reached the new master either
		promoted.execute("DEL", "lock:{default:fenced}:fencing");
		await().atMost(WAIT_TIME).until(() -> tokens.size() >= beforeFailover + 20);
		this.stopping.set(true);
		for (Future<?> loop : loops) {
			loop.get(WAIT_TIME.plus(SentinelConnections.COMMAND_TIMEOUT).plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
		}

		synchronized (tokens) {
			assertThat(tokens).doesNotHaveDuplicates().isSorted();
		}
	}

	private RedisLockManager manager() {
		LettuceConnectionFactory factory = SentinelConnections.connectionFactory(this.group);
		this.factories.add(factory);
		RedisLockManager manager = RedisLockManager.builder(factory).build();
		this.managers.add(manager);
		return manager;
	}

	private Void acquireAndReleaseUntilStopped(RedisLockManager client, String key, List<Acquisition> acquisitions) {
		while (!this.stopping.get()) {
			long start = System.nanoTime();
			Lease lease;
			try {
				lease = client.acquire(key, Duration.ofSeconds(2), WAIT_TIME);
			}
			catch (RuntimeException ex) {
				acquisitions.add(new Acquisition(start, System.nanoTime(), ex));
				continue;
			}
			acquisitions.add(new Acquisition(start, System.nanoTime(), null));
			try {
				lease.release();
			}
			catch (LeaseLostException ex) {
				// Granted by the old master just before it died, without reaching the new one: reported, as it should be
				logger.info("Failover: " + ex.getMessage());
			}
		}
		return null;
	}

	private static long successesEndingAfter(List<Acquisition> acquisitions, long nanos) {
		synchronized (acquisitions) {
			return acquisitions.stream()
				.filter((acquisition) -> acquisition.failure() == null && acquisition.endNanos() > nanos)
				.count();
		}
	}

	private static long millis(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(nanos);
	}

	private record Acquisition(long startNanos, long endNanos, RuntimeException failure) {
	}

}
