package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * What the lock manager does when Redis stops, stalls or comes back: clear failures within the wait time plus the
 * command timeout, detected lease loss, and recovery.
 */
class RedisFailureTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	/** Far longer than the wait times below, so that a wait held by it shows. */
	private static final Duration LONG_COMMAND_TIMEOUT = Duration.ofSeconds(6);

	private LettuceConnectionFactory factory;

	private RedisLockManager manager;

	private String key;

	@BeforeEach
	void createManager() {
		this.factory = RedisConnections.connectionFactory(server());
		this.manager = RedisLockManager.builder(this.factory).build();
		this.key = "key-" + UUID.randomUUID();
	}

	@AfterEach
	void closeManager() {
		this.manager.close();
		this.factory.destroy();
	}

	private static RedisServer server() {
		return redis.server();
	}

	@Test
	void acquireFailsClearlyWhileRedisIsStoppedAndWorksAfterRestart() {
		assertThat(this.manager.tryAcquire(this.key, Duration.ofSeconds(5))).isPresent().get()
			.satisfies(Lease::release);
		server().stop();

		long start = System.nanoTime();
		assertThatExceptionOfType(LockBackendUnavailableException.class)
			.isThrownBy(() -> this.manager.tryAcquire(this.key, Duration.ofSeconds(5)))
			.withMessageContaining("Redis could not be reached")
			.withMessageContaining(this.key);
		assertThat(Duration.ofNanos(System.nanoTime() - start))
			.isLessThan(RedisConnections.COMMAND_TIMEOUT.plusMillis(1500));

		start = System.nanoTime();
		Duration waitTime = Duration.ofSeconds(1);
		assertThatExceptionOfType(LockBackendUnavailableException.class)
			.isThrownBy(() -> this.manager.acquire(this.key, Duration.ofSeconds(5), waitTime))
			.withMessageContaining("Redis could not be reached");
		assertThat(Duration.ofNanos(System.nanoTime() - start))
			.isLessThan(waitTime.plus(RedisConnections.COMMAND_TIMEOUT).plusMillis(1500));

		server().start();
		await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
			.until(() -> this.manager.tryAcquire(this.key, Duration.ofSeconds(5)).isPresent());
	}

	@Test
	void waitEndsAtItsWaitTimeWhileRedisIsStoppedThoughTheCommandTimeoutIsLonger() {
		LettuceConnectionFactory slowFactory = RedisConnections.connectionFactory(server(), LONG_COMMAND_TIMEOUT);
		RedisLockManager slow = RedisLockManager.builder(slowFactory).build();
		try {
			assertThat(slow.tryAcquire(this.key, Duration.ofSeconds(5))).isPresent().get().satisfies(Lease::release);
			server().stop();

			Duration waited = timeToFail(slow, Duration.ofSeconds(1));

			assertThat(waited).isLessThan(Duration.ofSeconds(3)).isLessThan(LONG_COMMAND_TIMEOUT);
		}
		finally {
			server().start();
			slow.close();
			slowFactory.destroy();
		}
	}

	@Test
	void waitEndsAtItsWaitTimeWhileRedisIsPausedAndTheAttemptInFlightIsCleanedUp() {
		LettuceConnectionFactory slowFactory = RedisConnections.connectionFactory(server(), LONG_COMMAND_TIMEOUT);
		RedisLockManager slow = RedisLockManager.builder(slowFactory).build();
		LockKeys keys = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key);
		try {
			assertThat(slow.tryAcquire(this.key, Duration.ofSeconds(5))).isPresent().get().satisfies(Lease::release);
			server().pause();
			Duration waited;
			try {
				waited = timeToFail(slow, Duration.ofSeconds(1));
			}
			finally {
				server().resume();
			}

			assertThat(waited).isLessThan(Duration.ofSeconds(3)).isLessThan(LONG_COMMAND_TIMEOUT);
			// Redis ran the attempts given up on once resumed; their clean-up removes them long before the 60s ttl.
			await().atMost(Duration.ofSeconds(5))
				.until(() -> Long.valueOf(0).equals(server().execute("EXISTS", keys.lease())));
		}
		finally {
			slow.close();
			slowFactory.destroy();
		}
	}

	/**
	 * Waits up to {@code waitTime} for a 60s lease on the test's key, which must fail as Redis is unreachable.
	 * @return how long the call took
	 */
	private Duration timeToFail(RedisLockManager manager, Duration waitTime) {
		long start = System.nanoTime();
		assertThatExceptionOfType(LockBackendUnavailableException.class)
			.isThrownBy(() -> manager.acquire(this.key, Duration.ofSeconds(60), waitTime))
			.withMessageContaining("Redis could not be reached");
		return Duration.ofNanos(System.nanoTime() - start);
	}

	@Test
	void leaseIsReportedLostWhenRedisStallsLongerThanTheTtl() {
		Lease lease = this.manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(1)));
		server().pause();
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> !lease.isHeld());
		}
		finally {
			server().resume();
		}
		assertThat(lease.remaining()).isZero();
		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(lease::release)
			.withMessageContaining("expired");
		assertThat(this.manager.tryAcquire(this.key, Duration.ofSeconds(5))).isPresent();
	}

	@Test
	void timedOutAcquireLeavesNoOrphanBehind() {
		LockKeys keys = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key);
		server().pause();
		try {
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> this.manager.tryAcquire(this.key, Duration.ofSeconds(60)));
		}
		finally {
			server().resume();
		}
		// Redis ran the timed-out acquire once resumed; the clean-up sent after the timeout removes it long before
		// its 60s ttl.
		await().atMost(Duration.ofSeconds(5)).until(() -> Long.valueOf(0).equals(server().execute("EXISTS", keys.lease())));
		assertThat(this.manager.tryAcquire(this.key, Duration.ofSeconds(5))).isPresent();
	}

	@Test
	void failedReleaseIsRetriedInTheBackgroundUntilRedisAnswers() {
		LockKeys keys = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key);
		Lease lease = this.manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(60)).withRenewal(false));
		long refused = refusals();
		refuseScripts();
		try {
			lease.release(); // logged, not thrown: the lease expires anyway
			assertThat(lease.isHeld()).isFalse();
			awaitRetries(refused);
			assertThat(server().execute("EXISTS", keys.lease())).isEqualTo(1L);
		}
		finally {
			allowScripts();
		}
		// Deleted by a retry soon after Redis answers again, long before the 60s ttl.
		await().atMost(Duration.ofSeconds(5)).until(() -> Long.valueOf(0).equals(server().execute("EXISTS", keys.lease())));
	}

	@Test
	void failedForceReleaseIsRetriedInTheBackgroundUntilRedisAnswers() {
		LockKeys keys = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key);
		this.manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(60)));
		long refused = refusals();
		refuseScripts();
		try {
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> this.manager.forceRelease(LockRequest.DEFAULT_NAME, this.key, "stuck"))
				.withMessageContaining("deleting it is retried in the background");
			awaitRetries(refused);
		}
		finally {
			allowScripts();
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> Long.valueOf(0).equals(server().execute("EXISTS", keys.lease())));
	}

	@Test
	void failedReleaseIsNotRetriedPastTheLeasesExpiry() {
		LockKeys keys = LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key);
		Lease lease = this.manager.acquire(LockRequest.of(this.key, Duration.ofMillis(1500)).withRenewal(false));
		refuseScripts();
		try {
			lease.release();
			// Retried 100ms, 200ms, 400ms and 800ms apart while the lease lasts; then never again, though the
			// retries would otherwise go on every 2s
			await().atMost(Duration.ofSeconds(5))
				.until(() -> Long.valueOf(0).equals(server().execute("EXISTS", keys.lease())));
			long refused = refusals();
			await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> refusals() == refused);
		}
		finally {
			allowScripts();
		}
	}

	/** Makes every script fail (NOPERM), as a Redis that cannot be reached would, without closing connections. */
	private static void refuseScripts() {
		server().execute("ACL", "SETUSER", "default", "-eval", "-evalsha");
	}

	private static void allowScripts() {
		server().execute("ACL", "SETUSER", "default", "+@all");
	}

	/**
	 * Waits until Redis refused the failed call, the background attempt made at once and a retry after it.
	 */
	private static void awaitRetries(long refusedBefore) {
		await().atMost(Duration.ofSeconds(5)).until(() -> refusals() - refusedBefore >= 3);
	}

	/** Calls Redis refused for want of permission (INFO errorstats). */
	private static long refusals() {
		Matcher count = Pattern.compile("errorstat_NOPERM:count=(\\d+)")
			.matcher(String.valueOf(server().execute("INFO", "errorstats")));
		return count.find() ? Long.parseLong(count.group(1)) : 0;
	}

}
