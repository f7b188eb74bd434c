package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

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
		this.factory = RedisConnections.connectionFactory(master);
	}

	@AfterEach
	void close() {
		this.factory.destroy();
	}

	private RedisLockManager manager(int replicas) {
		return RedisLockManager.builder(this.factory).replicaAcknowledgement(replicas, Duration.ofMillis(500)).build();
	}

	private String leaseKey() {
		return LockKeys.of("lock:", LockRequest.DEFAULT_NAME, this.key).lease();
	}

	@Test
	void leaseIsGrantedOnceTheReplicaHasIt() {
		try (RedisLockManager manager = manager(1)) {
			Lease lease = manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10)));
			assertThat(lease.isHeld()).isTrue();
			assertThat(redis.server(1).execute("GET", leaseKey())).isNotNull();
		}
	}

	@Test
	void leaseIsGivenBackWhenTooFewReplicasAcknowledgeIt() {
		try (RedisLockManager manager = manager(2)) {
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10))))
				.withMessageContaining("only 1 of 2 replicas acknowledged the lease");
			assertThat(redis.server(0).execute("EXISTS", leaseKey())).isEqualTo(0L);
		}
	}

	@Test
	void pausedReplicaFailsTheAcquisitionWithinTheTimeout() {
		try (RedisLockManager manager = manager(1)) {
			redis.server(1).pause();
			long start = System.nanoTime();
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10))))
				.withMessageContaining("only 0 of 1 replicas acknowledged the lease within PT0.5S");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(RedisConnections.COMMAND_TIMEOUT);
			assertThat(redis.server(0).execute("EXISTS", leaseKey())).isEqualTo(0L);
		}
	}

	@Test
	void requestCanTurnOffTheConfiguredAcknowledgement() {
		try (RedisLockManager manager = manager(2)) {
			assertThat(manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10)).withReplicas(0)).isHeld())
				.isTrue();
		}
	}

	@Test
	void requestCanAskForAcknowledgementWhenNoneIsConfigured() {
		try (RedisLockManager manager = manager(0)) {
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> manager.acquire(LockRequest.of(this.key, Duration.ofSeconds(10)).withReplicas(2)))
				.withMessageContaining("replicas acknowledged");
		}
	}

}
