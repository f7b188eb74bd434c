package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Replica acknowledgement (Redis {@code WAIT}) of new leases, on a real master with one real replica.
 */
class ReplicaAcknowledgementTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(2, "--repl-diskless-sync-delay", "0");

	/** Long, so that a test expecting a lease never fails for a slow machine. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

	/** For leases that must be acknowledged: a healthy replica answers in milliseconds. */
	private static final Duration ACKNOWLEDGED_WITHIN = Duration.ofSeconds(5);

	/** For leases that cannot be acknowledged: how long Redis waits before counting too few replicas. */
	private static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);

	private LettuceConnectionFactory factory;

	private String key;

	@BeforeEach
	void replicate() {
		this.key = "key-" + UUID.randomUUID();
		RedisServer master = redis.server(0);
		RedisServer replica = redis.server(1);
		replica.execute("REPLICAOF", master.host(), Integer.toString(master.port()));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> String.valueOf(replica.execute("INFO", "replication")).contains("master_link_status:up")
					&& String.valueOf(master.execute("INFO", "replication")).contains("state=online"));
		this.factory = RedisConnections.connectionFactory(master, COMMAND_TIMEOUT);
	}

	@AfterEach
	void close() {
		this.factory.destroy();
	}

	private RedisLockManager manager(int replicas, Duration timeout) {
		return RedisLockManager.builder(this.factory).replicaAcknowledgement(replicas, timeout).build();
	}

	private String leaseKey() {
		return LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key).lease();
	}

	@Test
	void leaseIsGrantedOnceTheReplicaHasIt() {
		try (RedisLockManager manager = manager(1, ACKNOWLEDGED_WITHIN)) {
			Lease lease = manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10)));
			assertThat(lease.isHeld()).isTrue();
			assertThat(redis.server(1).execute("GET", leaseKey())).isNotNull();
		}
	}

	@Test
	void leaseIsGivenBackWhenTooFewReplicasAcknowledgeIt() {
		try (RedisLockManager manager = manager(2, SHORT_TIMEOUT)) {
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10))))
				.withMessageContaining("only 1 of 2 replicas acknowledged the lease");
			assertThat(redis.server(0).execute("EXISTS", leaseKey())).isEqualTo(0L);
		}
	}

	@Test
	void pausedReplicaFailsTheAcquisitionWithinTheReplicaTimeout() {
		try (RedisLockManager manager = manager(1, SHORT_TIMEOUT)) {
			redis.server(1).pause();
			long start = System.nanoTime();
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10))))
				.withMessageContaining("only 0 of 1 replicas acknowledged the lease within PT0.5S");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(SHORT_TIMEOUT, ACKNOWLEDGED_WITHIN);
			assertThat(redis.server(0).execute("EXISTS", leaseKey())).isEqualTo(0L);
		}
	}

	@Test
	void leaseGrantedBeforeTheMasterStalledInWaitIsCleanedUp() throws Exception {
		RedisServer master = redis.server(0);
		LettuceConnectionFactory shortTimeouts = RedisConnections.connectionFactory(master);
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try (RedisLockManager manager = RedisLockManager.builder(shortTimeouts)
			.replicaAcknowledgement(1, SHORT_TIMEOUT)
			.build()) {
			redis.server(1).pause();
			Future<Lease> acquisition = executor
				.submit(() -> manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(60))));
			// The lease is granted and WAIT blocks on the silent replica; then the master stops answering too.
			await().atMost(Duration.ofSeconds(5))
				.until(() -> String.valueOf(master.execute("INFO", "clients")).contains("blocked_clients:1"));
			master.pause();
			assertThat(catchThrowable(acquisition::get)).cause()
				.isInstanceOf(LockBackendUnavailableException.class)
				.hasMessageContaining("WAIT");
			master.resume();
			// The failed attempt's clean-up, sent while Redis was paused (and retried if need be), deletes the lease
			// once Redis answers again, long before its ttl.
			await().atMost(Duration.ofSeconds(5)).until(() -> master.execute("EXISTS", leaseKey()).equals(0L));
		}
		finally {
			executor.shutdownNow();
			shortTimeouts.destroy();
		}
	}

	@Test
	void replicaTimeoutMustBeShorterThanTheCommandTimeout() {
		assertThatIllegalStateException().isThrownBy(() -> manager(1, COMMAND_TIMEOUT))
			.withMessage("The replica acknowledgement timeout (PT10S) must be shorter than the Redis command timeout "
					+ "(PT10S), or the client gives up on WAIT before Redis answers it");
		try (RedisLockManager manager = manager(0, COMMAND_TIMEOUT)) {
			assertThatIllegalStateException()
				.isThrownBy(() -> manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10)).withReplicas(1)))
				.withMessageContaining("must be shorter than the Redis command timeout");
			assertThat(redis.server(0).execute("EXISTS", leaseKey())).isEqualTo(0L);
		}
	}

	@Test
	void requestCanTurnOffTheConfiguredAcknowledgement() {
		try (RedisLockManager manager = manager(2, SHORT_TIMEOUT)) {
			assertThat(manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10)).withReplicas(0)).isHeld())
				.isTrue();
		}
	}

	@Test
	void aQueuedCallerThatNeedsAcknowledgementGetsTheLeaseThroughRedisNotByHandoff() throws Exception {
		ExecutorService threads = Executors.newSingleThreadExecutor();
		try (RedisLockManager manager = RedisLockManager.builder(this.factory)
			.replicaAcknowledgement(1, ACKNOWLEDGED_WITHIN)
			.handoff(16, Duration.ofMinutes(1))
			.build()) {
			Lease holder = manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10))
				.withWaitTime(Duration.ofSeconds(1)));
			Future<Lease> queued = threads.submit(() -> manager.acquire(LockRequest.of(this.key,
					Duration.ofSeconds(10)).withWaitTime(Duration.ofSeconds(10))));
			Thread.sleep(200);
			assertThat(queued).isNotDone();
			long published = redis.server(0).commandCalls("publish");
			holder.release();
			Lease next = queued.get(10, TimeUnit.SECONDS);
			// A handoff would skip WAIT: the lease went back to Redis and was acquired (and acknowledged) again
			assertThat(redis.server(0).commandCalls("publish") - published).isOne();
			assertThat(redis.server(1).execute("GET", leaseKey())).isNotNull();
			next.release();
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void requestCanAskForAcknowledgementWhenNoneIsConfigured() {
		try (RedisLockManager manager = manager(0, ACKNOWLEDGED_WITHIN)) {
			assertThat(manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10)).withReplicas(1)).isHeld())
				.isTrue();
			assertThat(redis.server(1).execute("GET", leaseKey())).isNotNull();
		}
	}

}
