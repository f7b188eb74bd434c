package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.TooManyWaitersException;
import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Behaviour of {@link RedisLockManager} against a real Redis server: ownership, expiry, renewal, fencing and waiting.
 */
class RedisLockManagerTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final List<RedisLockManager> managers = new ArrayList<>();

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private String key;

	@BeforeEach
	void uniqueKey() {
		this.key = "key-" + UUID.randomUUID();
	}

	@AfterEach
	void closeManagers() {
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
	}

	private RedisLockManager manager() {
		return manager(RedisLockManager.builder(connectionFactory()));
	}

	private RedisLockManager manager(RedisLockManagerBuilder builder) {
		RedisLockManager manager = builder.build();
		this.managers.add(manager);
		return manager;
	}

	private LettuceConnectionFactory connectionFactory() {
		LettuceConnectionFactory factory = RedisConnections.connectionFactory(server());
		this.factories.add(factory);
		return factory;
	}

	private static RedisServer server() {
		return redis.server();
	}

	private String leaseKey() {
		return LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key).lease();
	}

	@Test
	void acquisitionLoadsTheScriptAgainWhenRedisForgotIt() {
		RedisLockManager manager = manager();
		manager.tryAcquire(this.key, Duration.ofSeconds(10)).orElseThrow().release();
		server().execute("SCRIPT", "FLUSH");
		manager.acquire(this.key, Duration.ofSeconds(10), Duration.ofSeconds(1)).release();
		server().execute("SCRIPT", "FLUSH");
		assertThat(manager.tryAcquire(this.key, Duration.ofSeconds(10))).isPresent();
	}

	@Test
	void secondContenderCannotAcquireWhileLeaseIsHeld() {
		LockManager first = manager();
		LockManager second = manager();
		try (Lease lease = first.tryAcquire(this.key, Duration.ofSeconds(10)).orElseThrow()) {
			assertThat(lease.isHeld()).isTrue();
			assertThat(lease.key()).isEqualTo(this.key);
			assertThat(lease.name()).isEqualTo(LockRequest.DEFAULT_NAME);
			assertThat(second.tryAcquire(this.key, Duration.ofSeconds(10))).isEmpty();
		}
		assertThat(second.tryAcquire(this.key, Duration.ofSeconds(10))).isPresent();
	}

	@Test
	void sameKeyUnderDifferentNamesAreDifferentLocks() {
		LockManager manager = manager();
		manager.acquire(LockRequest.of("orders", this.key, Duration.ofSeconds(10)));
		assertThat(manager.tryAcquire(LockRequest.of("payments", this.key, Duration.ofSeconds(10)))).isPresent();
	}

	@Test
	void everyLockKeyHasATtl() {
		manager().acquire(LockRequest.of(this.key, Duration.ofSeconds(10)).withRenewal(false));
		LockKeys keys = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key);
		assertThat((Long) server().execute("PTTL", keys.lease())).isBetween(1L, 10_000L);
		assertThat((Long) server().execute("PTTL", keys.fencing())).isPositive();
	}

	@Test
	void leaseCanBeReleasedFromAnotherThread() throws Exception {
		Lease lease = manager().tryAcquire(this.key, Duration.ofSeconds(10)).orElseThrow();
		CompletableFuture.runAsync(lease::release).get(5, TimeUnit.SECONDS);
		assertThat(lease.isHeld()).isFalse();
		assertThat(server().execute("EXISTS", leaseKey())).isEqualTo(0L);
	}

	@Test
	void releaseTwiceIsHarmless() {
		Lease lease = manager().tryAcquire(this.key, Duration.ofSeconds(10)).orElseThrow();
		lease.release();
		lease.close();
		assertThat(lease.remaining()).isZero();
	}

	@Test
	void releaseAfterExpiryDoesNotDeleteNextHolder() {
		RedisLockManager first = manager();
		Lease expired = first.acquire(LockRequest.of(this.key, Duration.ofMillis(200)).withRenewal(false));
		Lease next = manager().acquire(this.key, Duration.ofSeconds(10), Duration.ofSeconds(5));

		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(expired::release)
			.withMessageContaining(this.key)
			.satisfies((ex) -> assertThat(ex.getFencingToken()).isEqualTo(expired.fencingToken()));
		assertThat(next.isHeld()).isTrue();
		assertThat(server().execute("EXISTS", leaseKey())).isEqualTo(1L);
		next.release();
	}

	@Test
	void renewAfterExpiryDoesNotExtendNextHolder() {
		Lease expired = manager().acquire(LockRequest.of(this.key, Duration.ofMillis(200)).withRenewal(false));
		Lease next = manager().acquire(LockRequest.of(this.key, Duration.ofSeconds(2)).withWaitTime(Duration.ofSeconds(5))
			.withRenewal(false));

		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(() -> expired.renew(Duration.ofMinutes(10)));
		assertThat(expired.isHeld()).isFalse();
		assertThat((Long) server().execute("PTTL", leaseKey())).isLessThanOrEqualTo(2000L);
		next.release();
	}

	@Test
	void renewExtendsTheLease() {
		Lease lease = manager().acquire(LockRequest.of(this.key, Duration.ofSeconds(1)).withRenewal(false));
		lease.renew(Duration.ofSeconds(30));
		assertThat(lease.remaining()).isGreaterThan(Duration.ofSeconds(20));
		assertThat((Long) server().execute("PTTL", leaseKey())).isGreaterThan(20_000L);
	}

	@Test
	void renewalKeepsTheLeaseWhileWorkRunsLongerThanTheTtl() throws Exception {
		LockManager holder = manager();
		LockManager contender = manager();
		Duration ttl = Duration.ofSeconds(1);
		String result = holder.executeLocked(this.key, ttl, Duration.ZERO, () -> {
			long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
			while (System.nanoTime() < end) {
				assertThat(contender.tryAcquire(this.key, ttl)).isEmpty();
				Thread.sleep(100);
			}
			return "done";
		});
		assertThat(result).isEqualTo("done");
		assertThat(contender.tryAcquire(this.key, ttl)).isPresent();
	}

	@Test
	void manyLeasesHeldAtOnceAreRenewedTogether() throws Exception {
		RedisLockManager holder = manager();
		LockManager contender = manager();
		long evalsBefore = commandCalls("eval");
		List<Lease> leases = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			leases.add(holder.tryAcquire(this.key + i, Duration.ofMillis(600)).orElseThrow());
		}
		long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
		while (System.nanoTime() < end) {
			assertThat(leases).allMatch(Lease::isHeld);
			assertThat(contender.tryAcquire(this.key + 49, Duration.ofSeconds(1))).isEmpty();
			Thread.sleep(50);
		}
		leases.forEach(Lease::release);
		// Batches are pipelined as EVAL (single renewals use EVALSHA): at least one batch covered all 50 leases.
		assertThat(commandCalls("eval") - evalsBefore).isGreaterThanOrEqualTo(50);
	}

	@Test
	void withoutRenewalTheLeaseExpiresAfterItsTtl() {
		LockManager contender = manager();
		Lease lease = manager().acquire(LockRequest.of(this.key, Duration.ofSeconds(1)).withRenewal(false));
		assertThat(contender.tryAcquire(this.key, Duration.ofSeconds(1))).isEmpty();
		await().atLeast(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
			.until(() -> contender.tryAcquire(this.key, Duration.ofSeconds(1)).isPresent());
		assertThat(lease.isHeld()).isFalse();
	}

	@Test
	void leaseTakenAwayIsReportedLostByRenewal() {
		Lease lease = manager().acquire(LockRequest.of(this.key, Duration.ofMillis(600)));
		server().execute("DEL", leaseKey());
		await().atMost(Duration.ofSeconds(3)).until(() -> !lease.isHeld());
		assertThat(lease.remaining()).isZero();
		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(lease::release)
			.withMessageContaining("renewal was refused");
	}

	@Test
	void executeLockedThrowsLeaseLostAfterTheWorkWhenTheLeaseWasLost() {
		AtomicReference<String> ran = new AtomicReference<>();
		assertThatExceptionOfType(LeaseLostException.class)
			.isThrownBy(() -> manager().executeLocked(this.key, Duration.ofMillis(300), Duration.ZERO, () -> {
				server().execute("DEL", leaseKey());
				Thread.sleep(600); // the work outlasts the renewal interval (100ms) several times
				ran.set("finished");
				return null;
			}));
		assertThat(ran).hasValue("finished");
	}

	@Test
	void executeLockedKeepsTheWorksExceptionWhenTheLeaseWasLost() {
		IllegalStateException failure = new IllegalStateException("work failed");
		assertThatExceptionOfType(LeaseLostException.class)
			.isThrownBy(() -> manager().executeLocked(this.key, Duration.ofMillis(300), Duration.ZERO, () -> {
				server().execute("DEL", leaseKey());
				Thread.sleep(600);
				throw failure;
			}))
			.satisfies((ex) -> assertThat(ex.getSuppressed()).containsExactly(failure));
	}

	@Test
	void executeLockedPassesTheWorksExceptionThroughAndReleases() {
		LockManager manager = manager();
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> manager.executeLocked(this.key, Duration.ofSeconds(5), Duration.ZERO, () -> {
				throw new IllegalStateException("work failed");
			}))
			.withMessage("work failed");
		assertThat(manager.tryAcquire(this.key, Duration.ofSeconds(5))).isPresent();
	}

	@Test
	void fencingTokensStrictlyIncreaseAcrossReleasesAndClients() {
		List<LockManager> clients = List.of(manager(), manager(), manager());
		long previous = 0;
		for (int i = 0; i < 300; i++) {
			Lease lease = clients.get(i % clients.size()).tryAcquire(this.key, Duration.ofSeconds(5)).orElseThrow();
			assertThat(lease.fencingToken()).isGreaterThan(previous);
			previous = lease.fencingToken();
			lease.release();
		}
	}

	@Test
	void fencingTokensKeepIncreasingAfterTheCounterIsLost() {
		LockManager manager = manager();
		Lease first = manager.tryAcquire(this.key, Duration.ofSeconds(5)).orElseThrow();
		first.release();
		server().execute("DEL", LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key).fencing());
		Lease second = manager.tryAcquire(this.key, Duration.ofSeconds(5)).orElseThrow();
		assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
	}

	@Test
	void fencingTokensStayAboveATokenIssuedAheadOfTheClock() {
		// As after a clock step back, or a failover to a server whose clock is behind.
		server().execute("SET", LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key).fencing(), "5000000000000000");
		Lease lease = manager().tryAcquire(this.key, Duration.ofSeconds(5)).orElseThrow();
		assertThat(lease.fencingToken()).isEqualTo(5000000000000001L);
	}

	@Test
	void waiterIsWokenByReleaseWellBeforeItsBackoff() throws Exception {
		Lease held = manager().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		RedisLockManager waiting = manager(RedisLockManager.builder(connectionFactory())
			.backOff(Duration.ofSeconds(3), 2.0, Duration.ofSeconds(5), Duration.ZERO));
		CompletableFuture<Long> acquiredAt = CompletableFuture.supplyAsync(() -> {
			waiting.acquire(this.key, Duration.ofSeconds(30), Duration.ofSeconds(20));
			return System.nanoTime();
		});
		String channel = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key).channel();
		await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(channel) == 1);
		long releasedAt = System.nanoTime();
		held.release();
		long woken = acquiredAt.get(10, TimeUnit.SECONDS) - releasedAt;
		assertThat(Duration.ofNanos(woken)).isLessThan(Duration.ofMillis(1500)); // half the 3s backoff
		await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(channel) == 0);
	}

	@Test
	void releaseIsPublishedWithPublishNotSpublishOutsideACluster() {
		long publishes = commandCalls("publish");
		long shardedPublishes = commandCalls("spublish");

		manager().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow().release();

		assertThat(commandCalls("publish")).isEqualTo(publishes + 1);
		assertThat(commandCalls("spublish")).isEqualTo(shardedPublishes);
	}

	/**
	 * A node where SPUBLISH fails (unknown on 6.2; refused by ACL here on 7) still announces the release, with PUBLISH,
	 * and the release still succeeds: the lease is already deleted when the script publishes.
	 */
	@Test
	void releaseFallsBackToPublishWhereSpublishFails() {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(server().host(), server().port());
		if (String.valueOf(server().execute("INFO", "server")).contains("redis_version:7")) {
			server().execute("ACL", "SETUSER", "no-spublish", "on", "nopass", "~*", "&*", "+@all", "-spublish");
			configuration.setUsername("no-spublish");
			configuration.setPassword("any");
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration);
		factory.afterPropertiesSet();
		factory.start();
		this.factories.add(factory);
		RedisLeaseStore store = new RedisLeaseStore(new StringRedisTemplate(factory), 60_000,
				RedisConnections.COMMAND_TIMEOUT, Duration.ofMillis(100), true, OwnerTokens.next(), Duration.ofMillis(50));
		LockKeys keys = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key);
		assertThat(store.acquire(keys, "owner", 10_000, 0, 0).acquired()).isTrue();
		long publishes = commandCalls("publish");

		assertThat(store.release(keys, "owner")).isTrue();

		assertThat(commandCalls("publish")).isEqualTo(publishes + 1);
		assertThat(server().execute("EXISTS", keys.lease())).isEqualTo(0L);
	}

	@Test
	void eachReleaseWakesTheNextLocalWaiter() throws Exception {
		Lease held = manager().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		RedisLockManager waiting = manager(RedisLockManager.builder(connectionFactory())
			.backOff(Duration.ofSeconds(3), 2.0, Duration.ofSeconds(5), Duration.ZERO)
			.maxWaiters(2));
		List<CompletableFuture<Long>> waiters = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			waiters.add(CompletableFuture.supplyAsync(() -> {
				Lease lease = waiting.acquire(this.key, Duration.ofSeconds(30), Duration.ofSeconds(20));
				long acquiredAt = System.nanoTime();
				lease.release(); // wakes the other waiter
				return acquiredAt;
			}));
		}
		// Both wait once a third caller is turned away by max-waiters instead of waiting itself.
		await().atMost(Duration.ofSeconds(5)).ignoreExceptionsMatching((ex) -> !ex.getMessage().contains("max-waiters"))
			.untilAsserted(() -> assertThatExceptionOfType(TooManyWaitersException.class)
				.isThrownBy(() -> waiting.acquire(this.key, Duration.ofSeconds(1), Duration.ofMillis(10)))
				.withMessageContaining("max-waiters"));
		long releasedAt = System.nanoTime();
		held.release();
		for (CompletableFuture<Long> waiter : waiters) {
			assertThat(Duration.ofNanos(waiter.get(10, TimeUnit.SECONDS) - releasedAt))
				.isLessThan(Duration.ofMillis(2500)); // both within the first 3s backoff
		}
	}

	@Test
	void waiterWakesWhenTheHoldersLeaseExpiresWithoutRelease() {
		manager().acquire(LockRequest.of(this.key, Duration.ofMillis(700)).withRenewal(false));
		RedisLockManager waiting = manager(RedisLockManager.builder(connectionFactory())
			.backOff(Duration.ofSeconds(5), 2.0, Duration.ofSeconds(10), Duration.ZERO));
		long start = System.nanoTime();
		waiting.acquire(this.key, Duration.ofSeconds(5), Duration.ofSeconds(20));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3000)); // backoff: 5s
	}

	@Test
	void waitTimeIsHonoured() {
		manager().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		LockManager waiting = manager();
		long start = System.nanoTime();
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> waiting.acquire(this.key, Duration.ofSeconds(5), Duration.ofMillis(700)))
			.withMessageContaining("within PT0.7S")
			.withMessageContaining("held by another owner");
		Duration waited = Duration.ofNanos(System.nanoTime() - start);
		assertThat(waited).isBetween(Duration.ofMillis(700), Duration.ofMillis(1500));
	}

	@Test
	void interruptionEndsTheWait() throws Exception {
		manager().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		LockManager waiting = manager();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicReference<Boolean> interrupted = new AtomicReference<>();
		Thread waiter = new Thread(() -> {
			try {
				waiting.acquire(this.key, Duration.ofSeconds(5), Duration.ofSeconds(30));
			}
			catch (RuntimeException ex) {
				failure.set(ex);
				interrupted.set(Thread.currentThread().isInterrupted());
			}
		});
		waiter.start();
		String channel = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key).channel();
		await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(channel) == 1);
		long start = System.nanoTime();
		waiter.interrupt();
		waiter.join(5000);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3)); // wait: 30s
		assertThat(failure.get()).isInstanceOf(LockNotAcquiredException.class).hasMessageContaining("Interrupted");
		assertThat(interrupted).hasValue(true);
	}

	@Test
	void waitersBeyondTheLimitFailAtOnce() throws Exception {
		manager().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		RedisLockManager limited = manager(RedisLockManager.builder(connectionFactory()).maxWaiters(1));
		CompletableFuture<Void> first = CompletableFuture.runAsync(
				() -> limited.acquire(this.key, Duration.ofSeconds(5), Duration.ofSeconds(3)));
		String channel = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key).channel();
		await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(channel) == 1);
		assertThatExceptionOfType(TooManyWaitersException.class)
			.isThrownBy(() -> limited.acquire(this.key, Duration.ofSeconds(5), Duration.ofSeconds(3)))
			.withMessageContaining("max-waiters");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> first.get(10, TimeUnit.SECONDS))
			.withCauseInstanceOf(LockNotAcquiredException.class);
	}

	@Test
	void closingTheManagerReleasesItsLeases() {
		RedisLockManager manager = manager();
		Lease lease = manager.tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		manager.close();
		assertThat(lease.isHeld()).isFalse();
		assertThat(server().execute("EXISTS", leaseKey())).isEqualTo(0L);
	}

	@Test
	void tryAcquireReturnsEmptyOnlyForContention() {
		LockManager manager = manager();
		Optional<Lease> lease = manager.tryAcquire(this.key, Duration.ofSeconds(5));
		assertThat(lease).isPresent();
		assertThat(manager.tryAcquire(this.key, Duration.ofSeconds(5))).isEmpty();
	}

	@Test
	void badArgumentsAreRejectedWithTheArgumentNamed() {
		LockManager manager = manager(RedisLockManager.builder(connectionFactory())
			.maxTtl(Duration.ofMinutes(1))
			.maxWaitTime(Duration.ofSeconds(10)));
		Duration ttl = Duration.ofSeconds(5);
		assertThatIllegalArgumentException().isThrownBy(() -> manager.tryAcquire(null, ttl))
			.withMessage("key must not be null or blank but was null");
		assertThatIllegalArgumentException().isThrownBy(() -> manager.tryAcquire("  ", ttl))
			.withMessage("key must not be null or blank but was '  '");
		assertThatIllegalArgumentException().isThrownBy(() -> manager.tryAcquire(this.key, null))
			.withMessage("ttl must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> manager.tryAcquire(this.key, Duration.ZERO))
			.withMessage("ttl must be at least 1ms but was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> manager.tryAcquire(this.key, Duration.ofSeconds(-1)))
			.withMessage("ttl must be at least 1ms but was PT-1S");
		assertThatIllegalArgumentException().isThrownBy(() -> manager.tryAcquire(this.key, Duration.ofMinutes(2)))
			.withMessage("ttl must be at most PT1M (max-ttl) but was PT2M");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> manager.acquire(this.key, ttl, Duration.ofMillis(-1)))
			.withMessage("waitTime must not be negative but was PT-0.001S");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> manager.acquire(this.key, ttl, Duration.ofSeconds(11)))
			.withMessage("waitTime must be at most PT10S (max-wait-time) but was PT11S");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> manager.tryAcquire(this.key, ttl).orElseThrow().renew(Duration.ofHours(1)))
			.withMessage("ttl must be at most PT1M (max-ttl) but was PT1H");
		assertThat(server().execute("EXISTS", leaseKey())).isEqualTo(1L);
	}

	private static long commandCalls(String command) {
		String stats = (String) server().execute("INFO", "commandstats");
		return stats.lines()
			.filter((line) -> line.startsWith("cmdstat_" + command + ":"))
			.map((line) -> line.replaceAll("^[^:]+:calls=(\\d+),.*", "$1"))
			.mapToLong(Long::parseLong)
			.findFirst()
			.orElse(0);
	}

	private static long subscribers(String channel) {
		List<?> reply = (List<?>) server().execute("PUBSUB", "NUMSUB", channel);
		return (Long) reply.get(1);
	}

}
